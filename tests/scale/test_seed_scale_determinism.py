"""`seed_scale --seed S`: the same seed and day give the same data (so two benchmark runs measure the same thing), and
another seed gives other data."""

from __future__ import annotations

import datetime

from django.db import transaction

from activity.models import Activity, MonthlyReport
from appraisal.models import Award
from groups.models import FundEntry
from members.models import PartyMember
from seeding.scale import seed_scale

DAY = datetime.date(2026, 3, 10)


def generate(seed: int) -> tuple:
    """Run once inside a savepoint, take what a person would compare, and roll it back."""
    savepoint = transaction.savepoint()
    seed_scale(townships=1, years=1, password="Scale-Test-Pass-1", seed=seed, today=DAY)
    members = [(m.name, m.birth_date, m.id_number, m.phone) for m in PartyMember.objects.order_by("pk")]
    reports = list(MonthlyReport.objects.order_by("pk").values_list("month", "status", "activity_count"))
    activities = list(Activity.objects.order_by("pk").values_list("kind", "held_on", "households_reached"))
    entries = list(FundEntry.objects.order_by("pk").values_list("entry_date", "direction", "amount", "purpose"))
    awards = list(Award.objects.order_by("pk").values_list("kind", "status", "member__name", "party_group__name"))
    transaction.savepoint_rollback(savepoint)
    return members, reports, activities, entries, awards


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(db):
    first = generate(3)
    assert all(first)
    assert generate(3) == first
    assert generate(4)[0] != first[0]
