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


def assignment_of(user) -> Assignment | None:
    """The user's assignment, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if not hasattr(user, "_scoping_assignment"):
        user._scoping_assignment = Assignment.objects.select_related("party_group").filter(user=user).first()
    return user._scoping_assignment


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


def can_write(user) -> bool:
    """Whether the user may change business data at all (inside their reach); county viewers only read."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return role_of(user) in {Role.TOWNSHIP_STAFF, Role.BRANCH_SECRETARY, Role.GROUP_LEADER}


def is_township_staff(user) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or role_of(user) == Role.TOWNSHIP_STAFF


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
