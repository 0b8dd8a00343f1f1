"""`seed_scale` writes standing and members away as the services do: replayed through them, the same history, the same
cached standing and the same spells and contact logs come out.

One township is seeded for two years on a pinned day; its standing changes (入党, 转正, 延长预备期, 去世, 转出,
停止党籍), spells away and contacts are noted and deleted, each member is put back as the roster had them
before their history (a probationer before 入党, the former members in the party), and everything is recorded
again through
`standing_record`, `away_record`, `away_return` and `contact_record`, in date order. The history (states before and
after, probation ends, decisions, documents, letters), each member's cached status and leaving day, and the spells
with their contacts must equal what the seeder wrote. Change how the seeder chains a member's states, dates a
probation or keeps a former member, and a test here fails; let it record a change the service refuses (out of
order, a 转正 before the year is up, a spell for someone not in the party) and the replay fails.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import transaction

from groups.models import GroupPost
from groups.standing.services import standing_record
from members.away.models import AwayContact, AwaySpell
from members.away.services import away_record, away_return, contact_record
from members.models import PartyMember
from members.standing.models import StandingChange
from members.standing.selectors import state_at
from seeding.scale import seed_scale
from seeding.scale.plan import at
from township.models import Township

DAY = datetime.date(2026, 4, 20)
Kind = StandingChange.Kind
State = PartyMember.Status


def standing_of(township: Township) -> dict:
    members = PartyMember.objects.filter(village__township=township)
    changes = StandingChange.objects.filter(member__in=members)
    spells = AwaySpell.objects.filter(member__in=members)
    changed = set(changes.values_list("member_id", flat=True))
    return {
        "changes": list(
            changes.order_by("member_id", "on", "pk").values_list(
                "member_id",
                "kind",
                "on",
                "state_before",
                "state_after",
                "decision",
                "document_no",
                "organisation",
                "letter_no",
                "probation_until",
                "notes",
            )
        ),  # fmt: skip
        "members": {m.pk: (m.status, m.left_on) for m in members if m.pk in changed},
        "spells": sorted(
            (
                s.member_id,
                s.province,
                s.city,
                s.workplace,
                s.fixed_workplace,
                s.since,
                s.returned_on,
                s.phone,
                s.contact_person_id,
                s.remote_participation,
            )
            for s in spells
        ),  # fmt: skip
        "contacts": sorted(
            AwayContact.objects.filter(spell__in=spells).values_list("spell__member_id", "on", "how", "what")
        ),
    }


def replay(township: Township) -> None:
    members = PartyMember.objects.filter(village__township=township)
    changes = list(StandingChange.objects.filter(member__in=members).order_by("on", "member_id", "pk"))
    spells = list(AwaySpell.objects.filter(member__in=members).order_by("since", "pk"))
    contacts = list(AwayContact.objects.filter(spell__in=spells).order_by("on", "pk"))
    for queryset in (AwayContact.objects.filter(spell__in=spells), AwaySpell.objects.filter(member__in=members)):
        queryset._raw_delete(queryset.db)
    StandingChange.objects.filter(member__in=members)._raw_delete(StandingChange.objects.db)
    # as the roster had them before their history: a probationer before 入党, a former member in the party
    joined = {c.member_id for c in changes if c.kind == Kind.JOINED}
    PartyMember.objects.filter(pk__in=joined).update(status=State.PROBATIONARY)
    former = {c.member_id for c in changes} - joined
    PartyMember.objects.filter(pk__in=former).update(status=State.FULL, left_on=None)
    for c in changes:
        standing_record(
            member=PartyMember.objects.get(pk=c.member_id), kind=c.kind, on=c.on, decision=c.decision,
            document_no=c.document_no, organisation=c.organisation, letter_no=c.letter_no,
            probation_until=c.probation_until if c.kind == Kind.EXTENDED else None, notes=c.notes, acting_user=None,
        )  # fmt: skip
    new_spell = {}
    for s in spells:
        new_spell[s.pk] = away_record(
            member=s.member, province=s.province, city=s.city, workplace=s.workplace,
            fixed_workplace=s.fixed_workplace, since=s.since, phone=s.phone, contact_person=s.contact_person,
            remote_participation=s.remote_participation, acting_user=None,
        )  # fmt: skip
    for c in contacts:
        contact_record(spell=new_spell[c.spell_id], on=c.on, how=c.how, what=c.what, acting_user=None)
    for s in spells:
        if s.returned_on:
            away_return(spell=new_spell[s.pk], returned_on=s.returned_on, acting_user=None)


@pytest.fixture(scope="module")
def both(django_db_setup, django_db_blocker):
    """(what the seeder wrote, what the services made of the same inputs); rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_scale(townships=1, years=2, password="Scale-Test-Pass-1", seed=3, today=DAY)
        township = Township.objects.get()
        seeded = standing_of(township)
        counted = (
            PartyMember.objects.filter(village__township=township)
            .annotate(s=state_at(datetime.date(DAY.year - 1, 6, 30)))
            .values_list("pk", "s")
        )
        on_a_day = dict(counted)
        with time_machine.travel(at(DAY, 12), tick=False):
            replay(township)
        replayed = standing_of(township)
        yield seeded, replayed, on_a_day
        transaction.set_rollback(True)


def test_the_history_and_cached_standing_are_what_the_service_records(both, db):
    seeded, replayed, _ = both
    assert seeded["changes"] == replayed["changes"]
    assert seeded["members"] == replayed["members"]
    kinds = {c[1] for c in seeded["changes"]}
    assert {Kind.JOINED, Kind.CONFIRMED, Kind.DIED, Kind.SUSPENDED} <= kinds
    assert State.LEFT in {s for s, _ in seeded["members"].values()}


def test_spells_away_and_contact_logs_are_what_the_services_keep(both, db):
    seeded, replayed, _ = both
    assert seeded["spells"] == replayed["spells"]
    assert seeded["contacts"] == replayed["contacts"]
    open_spells = [s for s in seeded["spells"] if s[6] is None]
    assert len(open_spells) >= 8  # every village's member working away, at least
    assert len(seeded["contacts"]) > 10 * len(open_spells)


def test_during_the_years_generated_everyone_in_a_group_is_a_full_member(both, db):
    """The other stages read every listed member as a full member throughout: the history agrees."""
    _, _, on_a_day = both
    grouped = set(GroupPost.objects.values_list("member_id", flat=True))
    assert grouped and all(on_a_day[m] == State.FULL for m in grouped)
    assert {State.LEFT, State.SUSPENDED} <= set(on_a_day.values())  # the former members
