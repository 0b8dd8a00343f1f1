"""Recording members working away: a spell away, its return, and each contact the branch has with them."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet

from core import clock
from core.stamp import user_or_none
from members.away.models import AwayContact, AwaySpell
from members.models import PartyMember, numbers_of
from members.standing.models import IN_PARTY
from members.validators import normalise_phone
from township.capabilities import require


def _d(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@transaction.atomic
def away_record(
    *,
    member: PartyMember,
    province: str,
    city: str,
    workplace: str,
    fixed_workplace: bool,
    since: datetime.date,
    phone: str = "",
    contact_person: PartyMember | None = None,
    remote_participation: str = "",
    acting_user,
) -> AwaySpell:
    """The branch records that a member works away from a date."""
    member = PartyMember.objects.select_for_update().select_related("village").get(pk=member.pk)
    require(acting_user, "members.write", member.village)
    errors: dict[str, str] = {}
    if member.status not in IN_PARTY:
        errors["since"] = f"{member.name}现在不是本支部的在册党员，不能登记外出。"
    if since > clock.today():
        errors["since"] = "外出日期不能晚于今天。"
    if contact_person is not None and (contact_person.village_id != member.village_id or contact_person == member):
        errors["contact_person"] = "支部联系人须是本支部的其他党员。"
    if AwaySpell.objects.filter(member=member, returned_on__isnull=True).exists():
        errors["since"] = f"{member.name}已有一条未返回的外出登记，请先登记返回。"
    if errors:
        raise ValidationError(errors)
    spell = AwaySpell(
        member=member,
        province=province.strip(),
        city=city.strip(),
        workplace=workplace.strip(),
        fixed_workplace=fixed_workplace,
        since=since,
        phone=normalise_phone(phone or ""),
        contact_person=contact_person,
        remote_participation=remote_participation.strip(),
        recorded_by=user_or_none(acting_user),
    )
    spell.full_clean()
    spell.save()
    return spell


@transaction.atomic
def away_return(*, spell: AwaySpell, returned_on: datetime.date, acting_user) -> AwaySpell:
    """The member is back (or the spell ends for another reason)."""
    spell = AwaySpell.objects.select_for_update().select_related("member__village").get(pk=spell.pk)
    require(acting_user, "members.write", spell.member.village)
    if spell.returned_on is not None:
        raise ValidationError({"returned_on": "这次外出已登记返回。"})
    if returned_on > clock.today() or returned_on < spell.since:
        raise ValidationError({"returned_on": f"返回日期应在外出日期（{_d(spell.since)}）和今天之间。"})
    spell.returned_on = returned_on
    spell.save(update_fields=["returned_on"])
    return spell


@transaction.atomic
def contact_record(*, spell: AwaySpell, on: datetime.date, how: str, what: str, acting_user) -> AwayContact:
    """One contact with a member away, in the branch's log. Only the member's own branch (or its township) writes it."""
    spell = AwaySpell.objects.select_related("member__village").get(pk=spell.pk)
    require(acting_user, "members.write", spell.member.village)
    errors: dict[str, str] = {}
    if on > clock.today():
        errors["on"] = "联系日期不能晚于今天。"
    elif on < spell.since:
        errors["on"] = f"联系日期不能早于外出日期（{_d(spell.since)}）。"
    if not what.strip():
        errors["what"] = "请写明联系的内容，如：传达支部主题党日内容、了解务工情况。"
    if errors:
        raise ValidationError(errors)
    contact = AwayContact(spell=spell, on=on, how=how, what=what.strip(), recorded_by=user_or_none(acting_user))
    contact.full_clean()
    contact.save()
    return contact


def open_spells(members: QuerySet[PartyMember]) -> QuerySet[AwaySpell]:
    """The open spells away of current members, with `last_contact` (or None); one query."""
    return (
        AwaySpell.objects.filter(member__in=members.filter(status__in=IN_PARTY), returned_on__isnull=True)
        .select_related("member__village", "contact_person")
        .defer(*numbers_of("member", "contact_person"))  # shown by name; the spell keeps its own masked phone
        .annotate(last_contact=Max("contacts__on"))
    )
