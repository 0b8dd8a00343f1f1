"""`manage.py seed_scale`: a tiny run (2 townships × 1 year) has the surveyed township's shape and keeps the rules the
services keep — ledgers never below zero with their decisions, report counters right, ID numbers valid and unique,
one leader per group — and its accounts log in and see only their own reach.

The run is made once for the module (in a transaction rolled back at the end) and every test reads it.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.urls import reverse

from activity.models import MonthlyReport
from appraisal.models import AppraisalYear, Award
from core.fields import lookup_hash, mask_id_number, mask_phone
from groups.ledger.services import decision_is_valid, decision_required
from groups.models import Coverage, FundEntry, GroupPost, PartyGroup, VillagerGroup
from members.models import PartyMember
from members.validators import id_birth_date, id_sex, validate_id_number
from seeding.scale import NotEmpty, seed_scale
from township.models import Assignment, County, Township, Village

PASSWORD = "Scale-Test-Pass-1"
TOWNSHIPS, YEARS = 2, 1
# The run's day is pinned, never the real date: 12 months ending in mid-year cover the end of the year before, which
# is decided; 12 months ending on 31 December (late evening in Beijing) are all this year's, still open; a leap day.
DAYS = {
    datetime.date(2026, 6, 15): [2025],
    datetime.date(2026, 12, 31): [],
    datetime.date(2028, 2, 29): [2027],
}


@pytest.fixture(scope="module", params=list(DAYS), ids=str)
def scale(request, django_db_setup, django_db_blocker):
    """The generated data as of a pinned day, for the whole module; rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        result = seed_scale(townships=TOWNSHIPS, years=YEARS, password=PASSWORD, seed=7, today=request.param)
        result.today = request.param
        yield result
        transaction.set_rollback(True)


def per_township(queryset, path: str) -> Counter:
    return Counter(queryset.values_list(path, flat=True))


def test_it_builds_townships_shaped_like_the_surveyed_one(scale, db):
    assert County.objects.count() == 1
    assert Township.objects.count() == TOWNSHIPS
    for counts, low, high in (
        (per_township(Village.objects, "township"), 8, 10),
        (per_township(VillagerGroup.objects, "village__township"), 64, 120),
        (per_township(PartyGroup.objects, "village__township"), 28, 48),
        (per_township(PartyMember.objects, "village__township"), 180, 330),
    ):
        assert len(counts) == TOWNSHIPS
        assert all(low <= n <= high for n in counts.values()), counts


def test_every_group_has_one_leader_one_or_two_deputies_and_its_villager_groups(scale, db):
    active = GroupPost.objects.filter(ended_on__isnull=True)
    roles = defaultdict(Counter)
    for group_id, role in active.values_list("party_group", "role"):
        roles[group_id][role] += 1
    assert set(roles) == set(PartyGroup.objects.values_list("pk", flat=True))
    for counts in roles.values():
        assert counts["leader"] == 1
        assert 1 <= counts["deputy"] <= 2
        assert 3 <= sum(counts.values()) <= 13
    covered = Coverage.objects.filter(ended_on__isnull=True).values_list("villager_group", flat=True)
    assert sorted(covered) == sorted(VillagerGroup.objects.values_list("pk", flat=True))


def test_each_group_reports_every_month_and_the_activity_counter_is_right(scale, db):
    reports = MonthlyReport.objects.annotate(n=Count("activities"))
    assert reports.count() == PartyGroup.objects.count() * 12 * YEARS
    assert all(r.n == r.activity_count for r in reports)
    per_report = sum(r.n for r in reports) / reports.count()
    assert 3 <= per_report <= 5
    closed = reports.filter(status=MonthlyReport.Status.CLOSED).count()
    assert closed >= reports.count() * 0.7  # past months are closed


def test_no_ledger_ever_goes_below_zero_and_large_spending_cites_a_valid_decision(scale, db):
    running: dict[int, Decimal] = defaultdict(Decimal)
    entries = FundEntry.objects.select_related("decision", "villager_group__village__township")
    assert entries.count() > 0
    for e in entries.order_by("villager_group", "entry_date", "pk"):
        running[e.villager_group_id] += e.signed_amount
        assert running[e.villager_group_id] >= 0, e
        township = e.villager_group.village.township
        needed = decision_required(
            direction=e.direction, category=e.category, amount=e.amount, threshold=township.fund_decision_threshold
        )
        if needed and e.reverses_id is None:
            assert e.decision is not None, e
        if e.decision is not None:
            assert e.decision.villager_group_id == e.villager_group_id
            assert e.decision.held_on <= e.entry_date
            assert decision_is_valid(e.decision, quorum=township.meeting_quorum)
    stored = dict(VillagerGroup.objects.values_list("pk", "fund_balance"))
    assert {pk: stored[pk] for pk in running} == dict(running)  # the balance the dashboards read is the ledger's


def test_id_numbers_decrypt_validate_and_are_unique(scale, db):
    members = list(PartyMember.objects.all())
    ids = [m.id_number for m in members]  # decrypted by the field
    assert len(set(ids)) == len(ids)
    for m in members:
        validate_id_number(m.id_number)
        assert id_birth_date(m.id_number) == m.birth_date
        assert id_sex(m.id_number) == m.sex
        assert m.id_number_hash == lookup_hash(m.id_number)
        assert m.phone_hash == lookup_hash(m.phone)
        assert (m.masked_id_number, m.masked_phone) == (mask_id_number(m.id_number), mask_phone(m.phone))
    for m in members[::25]:
        m.full_clean()  # the model's own checks: age when joining, ID against birth date and sex, no duplicate


def test_every_foreign_key_holds(scale, db):
    connection.check_constraints()


def test_decided_years_have_awards_within_the_quotas(scale, db):
    decided = AppraisalYear.objects.filter(state=AppraisalYear.State.DECIDED)
    assert sorted(set(decided.values_list("year", flat=True))) == DAYS[scale.today]
    assert decided.count() == TOWNSHIPS * len(DAYS[scale.today])
    for year in decided:
        kinds = Counter(Award.objects.filter(year=year, status=Award.Status.DECIDED).values_list("kind", flat=True))
        assert kinds[Award.Kind.ADVANCED_GROUP] == year.advanced_group_quota
        assert kinds[Award.Kind.EXCELLENT_LEADER] <= year.excellent_leader_quota
        assert 0 < kinds[Award.Kind.EXCELLENT_MEMBER] <= year.excellent_member_quota
    open_years = AppraisalYear.objects.filter(state=AppraisalYear.State.OPEN)
    assert sorted(open_years.values_list("year", flat=True)) == [scale.today.year] * TOWNSHIPS


def test_a_generated_secretary_logs_in_and_sees_only_their_village(scale, db, client):
    User = get_user_model()
    secretary = User.objects.get(username="t0001v01")
    assert secretary.check_password(PASSWORD)
    village = secretary.assignment.village
    assert secretary.assignment.role == Assignment.Role.BRANCH_SECRETARY
    client.force_login(secretary)
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200
    assert village.name in page.content.decode()
    other = Village.objects.exclude(pk=village.pk).filter(township=village.township).first()
    assert client.get(reverse("village", args=[other.pk])).status_code == 404
    far = Village.objects.exclude(township=village.township).first()
    assert client.get(reverse("village", args=[far.pk])).status_code == 404


def test_township_staff_open_the_award_ranking_and_download_the_award_report(scale, db, client):
    staff = get_user_model().objects.get(username="t0002")
    assert staff.assignment.township.name == Township.objects.order_by("pk")[1].name
    client.force_login(staff)
    year = AppraisalYear.objects.filter(township=staff.assignment.township).order_by("year").first()
    assert client.get(reverse("awards:year", args=[year.pk])).status_code == 200
    report = client.get(reverse("reports:award-report", args=[year.pk]))
    assert report.status_code == 200
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")


def test_generated_accounts_are_not_forced_to_change_their_password(scale, db):
    if not apps.is_installed("accounts"):
        pytest.skip("accounts app not installed")
    AccountSecurity = apps.get_model("accounts", "AccountSecurity")
    users = get_user_model().objects.filter(username__regex=r"^[ct][0-9]")
    assert users.count() == 1 + TOWNSHIPS + Village.objects.count()
    flags = AccountSecurity.objects.filter(user__in=users).values_list("must_change_password", flat=True)
    assert len(flags) == users.count() and not any(flags)


def test_it_refuses_a_database_that_already_has_townships(scale, db):
    with pytest.raises(NotEmpty):
        seed_scale(townships=1, years=1, password=PASSWORD)
    with pytest.raises(CommandError, match="--append"):
        call_command("seed_scale", townships=1, years=1, password=PASSWORD)
    assert Township.objects.count() == TOWNSHIPS


def test_the_command_needs_a_password(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="--password"):
        call_command("seed_scale", preset="county")
    with pytest.raises(CommandError, match="--today"):
        call_command("seed_scale", townships=1, years=1, password=PASSWORD, today=datetime.date(2999, 1, 1))
    before = Township.objects.count()  # the module's run may be there, rolled back after the module
    with pytest.raises(CommandError, match="--processes"):
        call_command("seed_scale", townships=1, years=1, password=PASSWORD, processes=0)
    assert Township.objects.count() == before


def test_every_county_gets_a_six_digit_region_code_that_no_other_county_has():
    """A province of 200 counties (10 × the preset) once stopped at the 80th: its code had seven digits, so its
    members' ID numbers one too many."""
    from seeding.scale.names import region_code

    codes = [region_code(n) for n in range(400)]
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(set(codes)) == len(codes)
    assert codes[:3] == ["511321", "511322", "511323"]  # the first counties' codes as they always were
