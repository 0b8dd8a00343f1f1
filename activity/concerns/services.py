"""党情民意 concerns: recording what villagers raise, relaying it up, answering it — and the queues that read them.

Services (writes) are keyword-only, run in one transaction, take the acting user (recorded in the history rows) and
raise ValidationError keyed by the form field a person would change. Selectors (reads) take the villages in reach and
run a fixed number of queries however many concerns there are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, QuerySet, Value, When
from django.utils.translation import gettext as _

from activity.models import Concern, concern_open, concern_overdue
from core import clock
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import VillagerGroup
from members.models import PartyMember, numbers_of
from members.standing.selectors import standing_on
from township.capabilities import require
from township.models import Village

Handling = Concern.Handling
Category = Concern.Category

# Days to answer when the person relaying gives no due date.
DEFAULT_DAYS_TO_ANSWER = {Handling.BRANCH: 15, Handling.TOWNSHIP: 30}
# Relaying only goes up: on the spot → branch → township.
LEVEL = {Handling.ON_SPOT: 0, Handling.BRANCH: 1, Handling.TOWNSHIP: 2}


def default_due_on(handling: str, relayed_on: datetime.date) -> datetime.date | None:
    days = DEFAULT_DAYS_TO_ANSWER.get(handling)
    return relayed_on + datetime.timedelta(days=days) if days else None


def covering_party_group(villager_group: VillagerGroup, on: datetime.date):
    """The party group that looked after the villager group on that day, or, when none did (a concern dated before
    the coverage began), the one of its current coverage."""
    return villager_group.party_group_on(on) or villager_group.current_party_group()


def _check_day(errors: dict, field: str, day: datetime.date | None, raised_on: datetime.date, today) -> None:
    if day is None:
        return
    if day > today:
        errors[field] = _("The date cannot be in the future.")
    elif day < raised_on:
        errors[field] = _("The date cannot be before the concern was raised (%(d)s).") % {"d": day_cn(raised_on)}


@transaction.atomic
def concern_record(
    *,
    villager_group: VillagerGroup,
    raised_through: PartyMember,
    raised_on: datetime.date,
    category: str,
    content: str,
    villager_name: str = "",
    handling: str,
    due_on: datetime.date | None = None,
    answer: str = "",
    answered_by: str = "",
    settled_by_mediation: bool = False,
    acting_user,
) -> Concern:
    """Record a concern. The village and the party group follow from the villager group. Handled on the spot with an
    answer, it is resolved the same day; relayed to the branch or the township, it gets a due date (by default 15 or
    30 days after it was raised)."""
    require(acting_user, "concerns.write", villager_group)
    today = clock.today()
    content = (content or "").strip()
    answer = (answer or "").strip()
    errors: dict[str, str] = {}
    if raised_on > today:
        errors["raised_on"] = _("The date cannot be in the future.")
    if villager_group.abolished_on is not None and villager_group.abolished_on <= raised_on:
        errors["villager_group"] = _("This villager group no longer existed on that day.")
    if raised_through.village_id == villager_group.village_id:
        state = standing_on(raised_through, raised_on)  # the one definition of a member on a day
        if state == PartyMember.Status.LEFT:
            errors["raised_through"] = _("%(who)s had left the branch by that day.") % {"who": raised_through.name}
        elif state == PartyMember.Status.SUSPENDED:
            errors["raised_through"] = f"{raised_through.name}那天的党籍处于停止状态，请选另一名党员。"
    if not content:
        errors["content"] = _("Write down what was said.")
    relayed_on = None
    if handling == Handling.ON_SPOT:
        due_on = None  # nothing to answer by: the member dealt with it there and then
    else:
        relayed_on = raised_on
        if due_on is None:
            due_on = default_due_on(handling, raised_on)
        elif due_on < raised_on:
            errors["due_on"] = _("The answer cannot be due before the concern was raised.")
        if answer:
            errors["answer"] = _(
                "Only a concern handled on the spot is answered when it is recorded; "
                "answer a relayed concern on its page once the answer comes."
            )
    if settled_by_mediation and (category != Category.DISPUTE or not answer):
        errors["settled_by_mediation"] = _(
            "Only a dispute handled on the spot, with its outcome written down, can be marked as settled."
        )
    if errors:
        raise ValidationError(errors)
    resolved = handling == Handling.ON_SPOT and bool(answer)
    concern = Concern(
        village_id=villager_group.village_id,
        villager_group=villager_group,
        party_group=covering_party_group(villager_group, raised_on),
        raised_through=raised_through,
        villager_name=(villager_name or "").strip(),
        raised_on=raised_on,
        category=category,
        content=content,
        handling=handling,
        due_on=due_on,
        relayed_on=relayed_on,
        answer=answer,
        answered_by=((answered_by or "").strip() or raised_through.name) if resolved else "",
        resolved_on=raised_on if resolved else None,
        settled_by_mediation=settled_by_mediation and resolved,
        recorded_by=user_or_none(acting_user),
    )
    concern.full_clean()
    stamp(concern, acting_user).save()
    return concern


def _locked(concern: Concern) -> Concern:
    return Concern.objects.select_for_update().get(pk=concern.pk)


@transaction.atomic
def concern_relay(
    *,
    concern: Concern,
    to: str,
    due_on: datetime.date | None = None,
    acting_user,
    relayed_on: datetime.date | None = None,
) -> Concern:
    """Pass an open concern up — on the spot → branch → township — with a new due date (by default 15 or 30 days)."""
    require(acting_user, "concerns.write", concern)
    concern = _locked(concern)
    today = clock.today()
    relayed_on = relayed_on or today
    if concern.resolved_on is not None:
        raise ValidationError(_("This concern is already resolved."), code="resolved")
    if to not in LEVEL or LEVEL[to] <= LEVEL[concern.handling]:
        raise ValidationError(
            {
                "to": _("It is already with %(h)s; it can only be relayed further up.")
                % {"h": concern.get_handling_display()}
            },
            code="not_up",
        )
    errors: dict[str, str] = {}
    _check_day(errors, "relayed_on", relayed_on, concern.raised_on, today)
    if due_on is None:
        due_on = default_due_on(to, relayed_on)
    elif due_on < relayed_on:
        errors["due_on"] = _("The answer cannot be due before the day it is relayed.")
    if errors:
        raise ValidationError(errors)
    concern.handling = to
    concern.relayed_on = relayed_on
    concern.due_on = due_on
    concern.full_clean()
    stamp(concern, acting_user).save()
    return concern


@transaction.atomic
def concern_answer(
    *,
    concern: Concern,
    answer: str,
    answered_by: str,
    resolved_on: datetime.date,
    acting_user,
    settled_by_mediation: bool = False,
) -> Concern:
    """Resolve a concern with its answer (for a dispute, its outcome): not before it was raised, not in the future."""
    require(acting_user, "concerns.write", concern)
    concern = _locked(concern)
    if concern.resolved_on is not None:
        raise ValidationError(_("This concern is already resolved."), code="resolved")
    errors: dict[str, str] = {}
    answer = (answer or "").strip()
    answered_by = (answered_by or "").strip()
    if not answer:
        errors["answer"] = _("Write down the answer, or for a dispute how it ended.")
    if not answered_by:
        errors["answered_by"] = _("Say who gave the answer.")
    if resolved_on is None:
        errors["resolved_on"] = _("Enter the day it was resolved.")
    else:
        _check_day(errors, "resolved_on", resolved_on, concern.raised_on, clock.today())
    if settled_by_mediation and concern.category != Category.DISPUTE:
        errors["settled_by_mediation"] = _("Only a dispute can be settled by mediation.")
    if errors:
        raise ValidationError(errors)
    concern.answer = answer
    concern.answered_by = answered_by
    concern.resolved_on = resolved_on
    concern.settled_by_mediation = settled_by_mediation
    concern.full_clean()
    stamp(concern, acting_user).save()
    return concern


# --- selectors -----------------------------------------------------------------------------------------------------


def _with_flags(qs: QuerySet[Concern], today: datetime.date) -> QuerySet[Concern]:
    """Annotate `open` and `overdue` (open and past its due date) so the database can sort by them."""
    return qs.annotate(
        open=Case(When(concern_open(), then=Value(True)), default=Value(False), output_field=BooleanField()),
        overdue=Case(When(concern_overdue(today), then=Value(True)), default=Value(False), output_field=BooleanField()),
    )


def queue_order(qs: QuerySet[Concern], today: datetime.date) -> QuerySet[Concern]:
    """Open before resolved; among the open, overdue first, then the oldest; the resolved, latest first."""
    # Among the open rows resolved_on is always empty, so "-resolved_on" only orders the resolved ones.
    return _with_flags(qs, today).order_by("-open", "-overdue", "-resolved_on", "raised_on", "pk")


def for_listing(qs: QuerySet[Concern]) -> QuerySet[Concern]:
    # the member it was raised through is shown by name: their ID and phone numbers are not decrypted
    return qs.select_related("village", "villager_group", "party_group", "raised_through").defer(
        *numbers_of("raised_through")
    )


def concern_township_queue(villages, *, today: datetime.date) -> QuerySet[Concern]:
    """Concerns relayed to the township, across the given villages, in queue order."""
    return for_listing(queue_order(Concern.objects.filter(village__in=villages, handling=Handling.TOWNSHIP), today))


def concern_branch_queue(villages, *, today: datetime.date) -> QuerySet[Concern]:
    """A branch's open concerns — on the spot but not yet resolved, with the branch, or with the township."""
    return for_listing(queue_order(Concern.objects.filter(concern_open(), village__in=villages), today))


def concern_counts_by_category(villages, since: datetime.date) -> list[tuple[str, int]]:
    """(category label, concerns raised since the date) for every category, in the fixed order; one query."""
    counts = dict(
        Concern.objects.filter(village__in=villages, raised_on__gte=since)
        .order_by()
        .values_list("category")
        .annotate(n=Count("pk"))
    )
    return [(str(label), counts.get(value, 0)) for value, label in Category.choices]


@dataclass(frozen=True)
class VillageConcernCounts:
    village: Village
    open: int
    overdue: int


def concern_open_counts_by_village(villages, *, today: datetime.date) -> list[VillageConcernCounts]:
    """Each village's open and overdue concerns (villages without any too), township then village order; one query."""
    rows = (
        Village.objects.filter(pk__in=_pks(villages))
        .select_related("township")
        .annotate(
            n_open=Count("concerns", filter=concern_open("concerns__")),
            n_overdue=Count("concerns", filter=concern_overdue(today, "concerns__")),
        )
        .order_by("township__name", "name")
    )
    return [VillageConcernCounts(v, v.n_open, v.n_overdue) for v in rows]


def _pks(villages):
    return villages.values("pk") if isinstance(villages, QuerySet) else [getattr(v, "pk", v) for v in villages]
