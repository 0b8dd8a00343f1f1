"""What the bench reads from the database itself (through Django, in the bench process): how big the data is, who the
personas are, which objects their pages show, and the raw openpyxl baseline for the exports."""

from __future__ import annotations

import datetime
import os
import secrets
import tempfile
import time
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from openpyxl import Workbook

from activity.models import Activity, Concern, MonthlyReport
from appraisal.models import AppraisalYear, Award
from groups.models import FundEntry, PartyGroup, VillagerGroup
from groups.roster.exporting import roster_rows, sheet_row
from members.models import PartyMember
from township.models import Assignment, County, Township, Village

Role = Assignment.Role
BENCH_ADMIN = "bench_admin"
BENCH_LEADER = "bench_leader"


def sizes() -> dict[str, int]:
    """Rows of each kind, as the results record them."""
    models = {
        "counties": County,
        "townships": Township,
        "villages": Village,
        "villager_groups": VillagerGroup,
        "party_groups": PartyGroup,
        "party_members": PartyMember,
        "monthly_reports": MonthlyReport,
        "activities": Activity,
        "concerns": Concern,
        "fund_entries": FundEntry,
        "awards": Award,
    }
    return {name: model.objects.count() for name, model in models.items()}


def postgres_version() -> str:
    if connection.vendor != "postgresql":
        return connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


@dataclass
class Persona:
    role: str
    username: str
    assignment: Assignment | None = None
    password: str | None = None  # a one-run password the bench made (else the seeded accounts' BENCH_PASSWORD)


def _user_with(role: str, *order, **scope) -> str | None:
    found = (
        Assignment.objects.filter(role=role, user__is_active=True, **scope)
        .annotate(members=Count("village__members"))
        .order_by(*order, "user__username")
        .first()
    )
    return found.user.username if found else None


SCALE_ACCOUNTS = {"township": "t0001", "secretary": "t0001v01", "county": "c001"}  # made by seed_scale


def personas() -> dict[str, Persona]:
    """The township staff, branch secretary and county viewer the pages are measured as: those named by
    BENCH_TOWNSHIP_USER / BENCH_SECRETARY_USER / BENCH_COUNTY_USER, else seed_scale's first accounts (t0001,
    t0001v01, c001: the same people at county and province scale), else the staff of the township with the most
    members, the secretary of its largest village and a viewer of its county (the demo data)."""
    township = Township.objects.annotate(n=Count("villages__members")).order_by("-n", "pk").first()
    found = {
        "township": lambda: _user_with(Role.TOWNSHIP_STAFF, township=township),
        "secretary": lambda: _user_with(Role.BRANCH_SECRETARY, "-members", village__township=township),
        "county": lambda: _user_with(Role.COUNTY_VIEWER, county_id=township.county_id if township else None),
    }
    User = get_user_model()
    names = {}
    for role, find in found.items():
        scale = SCALE_ACCOUNTS[role]
        names[role] = (
            os.environ.get(f"BENCH_{role.upper()}_USER")
            or (scale if User.objects.filter(username=scale).exists() else None)
            or find()
        )
    out = {}
    for role, username in names.items():
        if not username:
            raise SystemExit(f"No {role} account found; name one with BENCH_{role.upper()}_USER.")
        a = Assignment.objects.select_related("village__township", "township", "county").filter(user__username=username)
        out[role] = Persona(role, username, a.first())
    return out


def bench_admin() -> tuple[str, str]:
    """A system administrator for the province roster, with a fresh random password for this run only (made
    unusable again by `retire_bench_admin` when the run ends)."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=BENCH_ADMIN, defaults={"first_name": "性能测试"})
    password = secrets.token_urlsafe(24)
    user.is_superuser = user.is_staff = user.is_active = True
    user.set_password(password)
    user.save()
    return BENCH_ADMIN, password


def retire_bench_admin() -> None:
    User = get_user_model()
    for user in User.objects.filter(username__in=[BENCH_ADMIN, BENCH_LEADER]):
        user.set_unusable_password()
        user.save(update_fields=["password"])


def bench_leader(group: PartyGroup) -> tuple[str, str]:
    """A party group leader of `group` (the secretary's busiest group, the same at both scales: seed_scale makes no
    leader accounts), with a one-run random password like `bench_admin`'s."""
    User = get_user_model()
    user, _ = User.objects.get_or_create(username=BENCH_LEADER, defaults={"first_name": "性能测试组长"})
    password = secrets.token_urlsafe(24)
    user.is_active, user.is_staff, user.is_superuser = True, False, False
    user.set_password(password)
    user.save()
    Assignment.objects.update_or_create(
        user=user,
        defaults={"role": Role.GROUP_LEADER, "county": None, "township": None, "village": None, "party_group": group},
    )
    return BENCH_LEADER, password


# --- the objects the pages show ----------------------------------------------------------------------------------


def busiest_group(village: Village, month: datetime.date) -> PartyGroup:
    """The village's active party group with the most activities in the month (the fullest report page)."""
    return (
        PartyGroup.objects.filter(village=village, dissolved_on__isnull=True)
        .annotate(n=Count("reports__activities", filter=Q(reports__month=month)))
        .order_by("-n", "name")
        .first()
    )


def busiest_ledger(village: Village) -> VillagerGroup:
    return VillagerGroup.objects.filter(village=village).annotate(n=Count("fund_entries")).order_by("-n", "pk").first()


def latest_year(township: Township, *, decided: bool = False) -> AppraisalYear | None:
    years = AppraisalYear.objects.filter(township=township)
    if decided:
        years = years.filter(state=AppraisalYear.State.DECIDED)
    return years.order_by("-year").first()


def common_surname(township: Township) -> str:
    """The surname most members of the township share: an admin search that finds many people."""
    names = PartyMember.objects.filter(village__township=township).values_list("name", flat=True)[:2000]
    counts: dict[str, int] = {}
    for name in names:
        counts[name[:1]] = counts.get(name[:1], 0) + 1
    return max(counts, key=counts.get) if counts else "王"


# --- exports -----------------------------------------------------------------------------------------------------


def award_report_rows(year: AppraisalYear) -> int:
    return Award.objects.filter(year=year, status=Award.Status.DECIDED).count()


def roster_sheet_rows(villages) -> list[list]:
    """The roster's rows as the export writes them (read, decrypted, masked, formatted), held in memory."""
    sheet = Workbook(write_only=True).create_sheet()
    return [sheet_row(sheet, row) for row in roster_rows(villages)]


def raw_openpyxl_seconds(rows: list[list]) -> float:
    """Plain openpyxl write-only `append` of rows already read and formatted, saved to a temporary file: the floor
    the export's throughput is compared with."""
    with tempfile.TemporaryFile() as scratch:
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        sheet = wb.create_sheet()
        for row in rows:
            sheet.append(row)
        wb.save(scratch)
        return time.perf_counter() - started


def roster_villages(persona: Persona | None):
    """The villages a roster covers: a county viewer's county, or everything (the administrator)."""
    if persona is None:
        return Village.objects.all()
    return Village.objects.filter(township__county=persona.assignment.county)
