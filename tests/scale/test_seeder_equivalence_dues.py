"""`seed_scale` writes party dues as `dues.services` does: recorded again through the services, the same assessments,
receipts (numbers, monthly lines, amounts to the fen), remittances, receipts by the township and book balances come
out.

One township is seeded for two years on a pinned day (dues from January 2025 to last month) and its dues are noted.
The run is rolled back and made again without the dues stage (the same seed gives the same members, groups and
leaders), and what the branches and the township did is recorded through the services, as they would: the
township's rule, each assessment (`assessment_set`), each receipt in the order written (`payment_record`, with the
months it covers, the assessed amount and any voluntary extra, by the branch secretary), each remittance
(`remittance_record`, whose amount the service computes) and the township's receipt of it (`remittance_receive`).
The dues books are append-only (no delete), hence the second run rather than deleting the seeder's rows.

Change how the seeder prices a month (band, farmer amount, rounding), numbers receipts, spreads a payment over its
months, sums a period's remittance or keeps a book's balance, and a test here fails; let it record a payment the
service refuses (more than owed, a month not assessed, a day in a remitted period) and the replay fails.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from dues.models import Assessment, DuesBook, Line, Payment, Remittance, RemittanceReceipt, TownshipDuesRule
from dues.selectors import check, schedule_for
from dues.services import assessment_set, payment_record, remittance_receive, remittance_record
from members.models import PartyMember
from seeding.scale import seed_scale
from seeding.scale.plan import at
from township.models import Assignment, Township, Village

DAY = datetime.date(2026, 4, 20)


def dues_of(township: Township) -> dict:
    """The township's dues by natural keys (villages, members, years, receipt numbers, periods)."""
    villages = Village.objects.filter(township=township)
    payments = Payment.objects.filter(village__in=villages)
    lines: dict[tuple, list] = defaultdict(list)
    for line in Line.objects.filter(village__in=villages).select_related("payment").order_by("pk"):
        p = line.payment
        lines[(p.village_id, p.receipt_year, p.receipt_seq)].append(
            (line.member_id, line.month, line.paid_on, line.kind, line.amount, line.is_reversal)
        )
    remittances = Remittance.objects.filter(village__in=villages)
    return {
        "rule": list(
            TownshipDuesRule.objects.filter(township=township).values_list(
                "valid_from", "farmer_amount", "frequency", "remit_due_day"
            )
        ),
        "assessments": {
            (a.member_id, a.year): (a.category, a.base, a.note, a.set_by_id)
            for a in Assessment.objects.filter(member__village__in=villages)
        },
        "payments": {
            (p.village_id, p.receipt_year, p.receipt_seq): (
                p.member_id,
                p.paid_on,
                p.received_by,
                p.reverses_id,
                p.recorded_by_id,
            )
            for p in payments
        },  # fmt: skip
        "lines": dict(lines),
        "remittances": sorted(
            remittances.values_list(
                "village_id", "period_start", "months", "amount", "remitted_on", "attempt", "reverses", "recorded_by"
            )
        ),
        "received": sorted(
            RemittanceReceipt.objects.filter(remittance__in=remittances).values_list(
                "remittance__village_id", "remittance__period_start", "received_on", "received_by"
            )
        ),
        "books": dict(DuesBook.objects.filter(village__in=villages).values_list("village_id", "balance")),
    }


def inputs_of(township: Township) -> dict:
    """What the branches and the township entered, in the order they entered it."""
    villages = Village.objects.filter(township=township)
    payments = []
    for p in Payment.objects.filter(village__in=villages).prefetch_related("lines").order_by("pk"):
        assessed = sorted(line.month for line in p.lines.all() if line.kind == Line.Kind.ASSESSED)
        voluntary = sum((line.amount for line in p.lines.all() if line.kind == Line.Kind.VOLUNTARY), Decimal(0))
        amount = sum((line.amount for line in p.lines.all() if line.kind == Line.Kind.ASSESSED), Decimal(0))
        payments.append((p.village_id, p.member_id, assessed[0], len(assessed), amount, voluntary, p.paid_on,
                         p.received_by))  # fmt: skip
    return {
        "rule": TownshipDuesRule.objects.filter(township=township).values(
            "valid_from", "farmer_amount", "frequency", "remit_due_day"
        )[0],
        "assessments": list(
            Assessment.objects.filter(member__village__in=villages)
            .order_by("pk")
            .values_list("member_id", "year", "category", "base", "note")
        ),
        "payments": payments,
        "remittances": list(
            Remittance.objects.filter(village__in=villages)
            .order_by("pk")
            .values_list("pk", "village_id", "period_start", "remitted_on")
        ),
        "received": dict(
            RemittanceReceipt.objects.filter(remittance__village__in=villages).values_list(
                "remittance_id", "received_on"
            )
        ),
    }


def replay(township: Township, inputs: dict) -> None:
    TownshipDuesRule.objects.create(township=township, **inputs["rule"])
    secretaries = {
        a.village_id: a.user
        for a in Assignment.objects.filter(village__township=township, role=Assignment.Role.BRANCH_SECRETARY)
    }
    staff = get_user_model().objects.get(username="t0001")
    members = {m.pk: m for m in PartyMember.objects.filter(village__township=township)}
    villages = {v.pk: v for v in Village.objects.filter(township=township)}
    for member_id, year, category, base, note in inputs["assessments"]:
        member = members[member_id]
        secretary = secretaries[member.village_id]
        assessment_set(member=member, year=year, category=category, base=base, note=note, acting_user=secretary)
    for village_id, member_id, first, months, amount, voluntary, paid_on, received_by in inputs["payments"]:
        payment_record(
            village=villages[village_id], member=members[member_id], first_month=first, months=months, amount=amount,
            voluntary=voluntary, paid_on=paid_on, received_by=received_by, acting_user=secretaries[village_id],
        )  # fmt: skip
    for pk, village_id, period_start, remitted_on in inputs["remittances"]:
        remittance = remittance_record(
            village=villages[village_id], period_start=period_start, remitted_on=remitted_on,
            acting_user=secretaries[village_id],
        )  # fmt: skip
        if pk in inputs["received"]:
            remittance_receive(remittance=remittance, received_on=inputs["received"][pk], acting_user=staff)


@pytest.fixture(scope="module")
def both(django_db_setup, django_db_blocker):
    """(what the seeder wrote, what the services made of the same inputs, the seeded books' problems, the farmers'
    amounts against the township's); rolled back afterwards."""
    run = {"townships": 1, "years": 2, "password": "Scale-Test-Pass-1", "seed": 5, "today": DAY}
    with django_db_blocker.unblock(), transaction.atomic():
        savepoint = transaction.savepoint()
        seed_scale(**run)
        township = Township.objects.get()
        seeded = dues_of(township)
        inputs = inputs_of(township)
        report = io.StringIO()
        call_command("check_dues", stdout=report)  # exits non-zero on any disagreement
        problems = check(list(Village.objects.filter(township=township))), report.getvalue()
        schedule = schedule_for(township.pk)
        farmers = {
            (line.amount, schedule.due("farmer", None, line.month))
            for line in Line.objects.filter(member__dues_assessments__category="farmer", kind=Line.Kind.ASSESSED)
        }
        transaction.savepoint_rollback(savepoint)
        with mock.patch("seeding.scale.dues.write_dues", lambda run, town: None):
            seed_scale(**run)
        township = Township.objects.get()
        assert not Payment.objects.exists()
        with time_machine.travel(at(DAY, 12), tick=False):
            replay(township, inputs)
        replayed = dues_of(township)
        yield seeded, replayed, problems, farmers
        transaction.set_rollback(True)


def test_assessments_and_receipts_are_what_the_services_record(both, db):
    seeded, replayed, _, _ = both
    assert seeded["rule"] == replayed["rule"]
    assert seeded["assessments"] == replayed["assessments"]
    assert seeded["payments"] == replayed["payments"]
    assert seeded["lines"] == replayed["lines"]
    categories = {c for c, *_ in seeded["assessments"].values()}
    assert {"farmer", "retired", "employed"} <= categories
    assert len(seeded["payments"]) > 500
    assert any(kind == Line.Kind.VOLUNTARY for lines in seeded["lines"].values() for *_, kind, _a, _r in lines)


def test_remittances_and_balances_are_what_the_services_compute(both, db):
    seeded, replayed, problems, _ = both
    assert seeded["remittances"] == replayed["remittances"]
    assert seeded["received"] == replayed["received"]
    assert seeded["books"] == replayed["books"]
    found, report = problems
    assert found == []  # every book agrees with its receipts and remittances to the fen
    assert "党费账、收缴和上缴逐分相符" in report  # as `manage.py check_dues` says
    assert len(seeded["remittances"]) >= 8 * 4 and all(b >= 0 for b in seeded["books"].values())


def test_farmers_pay_the_townships_amount(both, db):
    _, _, _, farmers = both
    assert farmers and all(paid == due for paid, due in farmers)
    assert len({due for _, due in farmers}) == 1
