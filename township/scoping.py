"""The one place that decides what a person may see and change.

`villages_for(user)` is the set of villages in reach; every scoped queryset (`Model.objects.visible_to(user)`), form
choice, export and admin changelist is built on it. Outside the reach is answered like a missing object (404).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from township.models import Assignment, Township, Village

Role = Assignment.Role
# 三员 — separation of duties: the security auditor and the account administrator reach no business data at all.
DUTY_ROLES = frozenset({Role.AUDITOR, Role.ACCOUNT_ADMIN})


# What the reach needs of an assignment, read with it.
ASSIGNMENT_RELATED = ("village__township", "party_group__village")


def assignment_of(user) -> Assignment | None:
    """The user's assignment, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_scoping_assignment"):
        assignments = Assignment.objects.select_related(*ASSIGNMENT_RELATED)
        user._scoping_assignment = assignments.filter(user=user).first()
    return user._scoping_assignment


def with_assignment(users: QuerySet) -> QuerySet:
    """`users` read with their assignments, for `keep_assignment`."""
    return users.select_related(*(f"assignment__{path}" for path in ASSIGNMENT_RELATED))


def keep_assignment(user) -> None:
    """Cache for `assignment_of` the assignment a `with_assignment` read brought (None: the user has none). Only
    such a fresh read: a user object made or kept elsewhere may remember an assignment it was given before a change,
    and is asked again."""
    user._scoping_assignment = user.__class__.assignment.related.get_cached_value(user)


def role_of(user) -> str | None:
    a = assignment_of(user)
    return a.role if a else None


def villages_for(user) -> QuerySet[Village]:
    """Villages in the user's reach: all for a superuser, none for anyone without an assignment."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Village.objects.none()
    if user.is_superuser:
        return Village.objects.all()
    a = assignment_of(user)
    if a is None:
        return Village.objects.none()
    if a.role == Role.COUNTY_VIEWER:
        return Village.objects.filter(township__county_id=a.county_id)
    if a.role == Role.TOWNSHIP_STAFF:
        return Village.objects.filter(township_id=a.township_id)
    if a.role == Role.BRANCH_SECRETARY:
        return Village.objects.filter(pk=a.village_id)
    if a.role == Role.GROUP_LEADER:
        return Village.objects.filter(pk=a.party_group.village_id)
    return Village.objects.none()


def townships_for(user) -> QuerySet[Township]:
    """Townships in reach: a county viewer's whole county, a staff member's township, a secretary's own township."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Township.objects.none()
    if user.is_superuser:
        return Township.objects.all()
    a = assignment_of(user)
    if a is None or a.role in DUTY_ROLES:
        return Township.objects.none()
    if a.role == Role.COUNTY_VIEWER:
        return Township.objects.filter(county_id=a.county_id)
    if a.role == Role.TOWNSHIP_STAFF:
        return Township.objects.filter(pk=a.township_id)
    return Township.objects.filter(villages__in=villages_for(user)).distinct()


def _village_id(place) -> int | None:
    """The village a place is, or belongs to (party group, villager group, member, report…); None above villages."""
    if place._meta.label == "township.Village":
        return place.pk
    return getattr(place, "village_id", None)


def _township_id(place) -> int | None:
    label = place._meta.label
    if label == "township.Township":
        return place.pk
    if label == "township.Village":
        return place.township_id
    if getattr(place, "village_id", None) is not None:
        return place.village.township_id
    return getattr(place, "township_id", None)  # a township's own record (an appraisal year…)


def _county_id(place) -> int | None:
    label = place._meta.label
    if label == "township.County":
        return place.pk
    if label == "township.Township":
        return place.county_id
    if label == "township.Village":
        return place.township.county_id
    if getattr(place, "village_id", None) is not None:
        return place.village.township.county_id
    if getattr(place, "township_id", None) is not None:
        return place.township.county_id
    return None


def in_reach(user, place) -> bool:
    """Whether one place is in the user's reach: the same rule as `villages_for`/`townships_for`, for one object
    (a county, a township, a village, or anything belonging to one). A place above the user's own (a township, for a
    branch secretary) is in reach when their own lies inside it. Read from the object and the relations it already
    holds: a view that selected them asks nothing more of the database."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    a = assignment_of(user)
    if a is None or a.role in DUTY_ROLES:
        return False
    if a.role == Role.COUNTY_VIEWER:
        return _county_id(place) == a.county_id
    if a.role == Role.TOWNSHIP_STAFF:
        return _township_id(place) == a.township_id
    own = a.village if a.role == Role.BRANCH_SECRETARY else a.party_group.village
    village_id = _village_id(place)
    if village_id is not None:
        return village_id == own.pk
    if place._meta.label == "township.County":
        return False
    return _township_id(place) == own.township_id


def get_visible_or_404(model, user, *, shape=None, **lookup):
    """Fetch one object through the user's scope; outside it answers 404 exactly like a missing object (and the
    attempt on an existing record is kept as an ACCESS_DENIED security event).

    `shape` may add select_related/annotate to the scoped queryset; it cannot widen it (it receives it already scoped).
    """
    queryset = model.objects.visible_to(user)
    if shape is not None:
        queryset = shape(queryset)
    try:
        return queryset.get(**lookup)
    except model.DoesNotExist as exc:
        from audit.events import record_denied

        record_denied(model, user, **lookup)
        raise Http404 from exc
