"""`seed_scale --seed S`: the same seed and day give the same data (so two benchmark runs measure the same thing), and
another seed gives other data."""

from __future__ import annotations

import datetime

from django.db import transaction

from activity.models import Activity, MonthlyReport
from appraisal.models import Award
from dues.models import Line, Remittance
from groups.models import FundEntry
from members.away.models import AwaySpell
from members.models import PartyMember
from members.standing.models import StandingChange
from seeding.scale import seed_scale

DAY = datetime.date(2026, 3, 10)


def generate(seed: int) -> tuple:
    """Run once inside a savepoint, take what a person would compare, and roll it back."""
    savepoint = transaction.savepoint()
    seed_scale(townships=1, years=2, password="Scale-Test-Pass-1", seed=seed, today=DAY)
    members = [(m.name, m.birth_date, m.id_number, m.phone) for m in PartyMember.objects.order_by("pk")]
    reports = list(MonthlyReport.objects.order_by("pk").values_list("month", "status", "activity_count"))
    activities = list(Activity.objects.order_by("pk").values_list("kind", "held_on", "households_reached"))
    entries = list(FundEntry.objects.order_by("pk").values_list("entry_date", "direction", "amount", "purpose"))
    awards = list(Award.objects.order_by("pk").values_list("kind", "status", "member__name", "party_group__name"))
    standing = list(StandingChange.objects.order_by("pk").values_list("member__name", "kind", "on"))
    spells = list(AwaySpell.objects.order_by("pk").values_list("member__name", "city", "since", "returned_on"))
    dues = list(Line.objects.order_by("pk").values_list("member__name", "month", "paid_on", "amount"))
    remitted = list(Remittance.objects.order_by("pk").values_list("village__name", "period_start", "amount"))
    transaction.savepoint_rollback(savepoint)
    return members, reports, activities, entries, awards, standing, spells, dues, remitted


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first = generate(3)
    assert all(first)
    assert generate(3) == first
    other = generate(4)
    assert other[0] != first[0]
    assert other[7] != first[7]  # the dues too
