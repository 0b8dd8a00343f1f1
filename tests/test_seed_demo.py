"""`manage.py seed_demo` at the edge instants: its thirteen months of reports end with this month in Beijing, nothing
is dated after today, past months are closed, and last month shows three groups late once its due day has passed."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activity.models import Activity, Concern, MonthlyReport
from core import clock, periods
from dashboards.selectors import overdue_groups
from groups.models import FundEntry
from orglife.meetings.models import Kind, Meeting
from tests.clock import EDGE_INSTANTS
from township.models import Village

Status = MonthlyReport.Status

# Last month's reports, three of them still drafts: overdue once the 5th of this month is behind.
LATE_SHOWN = {
    datetime.date(2026, 12, 31): 3,  # November's, due 5 December
    datetime.date(2027, 1, 1): 0,  # December's, due 5 January (in UTC it is still 31 December 2026)
    datetime.date(2028, 2, 29): 3,  # January's, due 5 February
}


@pytest.mark.parametrize("now", EDGE_INSTANTS)
def test_it_seeds_the_demo_up_to_this_month_in_beijing(now, db):
    call_command("seed_demo", password="Demo-edge-instant-1", stdout=io.StringIO())
    today = now.date()  # the instants are given in Beijing time
    assert clock.today() == today
    this = periods.month_of(today)
    last = periods.previous_month(this)
    months = sorted(set(MonthlyReport.objects.values_list("month", flat=True)))
    assert months == periods.last_months(today, 13)
    assert not Activity.objects.filter(held_on__gt=today).exists()
    assert not MonthlyReport.objects.filter(submitted_at__gt=timezone.now()).exists()
    assert not Concern.objects.filter(raised_on__gt=today).exists()
    assert not FundEntry.objects.filter(entry_date__gt=today).exists()
    assert set(MonthlyReport.objects.filter(month__lt=last).values_list("status", flat=True)) == {Status.CLOSED}
    assert MonthlyReport.objects.filter(month=last, status=Status.DRAFT).count() == 3
    late = overdue_groups(Village.objects.all(), today, lambda g: g.village.township.report_due_day)
    assert len(late) == LATE_SHOWN[today] and {m for _g, m in late} <= {last}
    # each month's 党小组会 is one record: the meeting with attendance, listed in its report, never typed twice
    assert not Activity.objects.filter(kind=Activity.Kind.MEETING, orglife_meeting__isnull=True).exists()
    assert not Meeting.objects.filter(kind=Kind.GROUP, report__isnull=False, activity__isnull=True).exists()
    xie = MonthlyReport.objects.get(party_group__name="5、6社党小组", party_group__village__name="罗紫村", month=this)
    assert xie.orglife_meetings.count() == 1 == xie.activities.filter(kind=Activity.Kind.MEETING).count()


def test_the_surveyed_townships_members_have_their_national_record(db):
    """民族, 学历, 人员类别, 工作岗位, 家庭住址 for everyone of 金溪乡; 转正日期 for full members, to the month for
    those who joined before 1990; nothing for probationary members; and running it again changes nothing."""
    from members.models import PartyMember
    from seeding.demo.national import fill_national_record

    call_command("seed_demo", password="Demo-national-record-1", stdout=io.StringIO())
    members = PartyMember.objects.filter(village__township__name="金溪乡")
    assert members.count() == 251
    assert not members.filter(ethnicity="").exists() and not members.filter(home_address="").exists()
    assert set(members.values_list("ethnicity", flat=True)) >= {"01"}
    assert members.filter(ethnicity="01").count() > 230
    assert not members.filter(status=PartyMember.Status.PROBATIONARY, full_member_on__isnull=False).exists()
    old = members.filter(joined_on__year__lt=1990, status=PartyMember.Status.FULL)
    assert old.exists() and not old.exclude(full_member_on_precision="month").exists()
    assert members.filter(full_member_on__isnull=False).count() > 200
    assert fill_national_record("金溪乡") == 0


def test_make_run_seeds_the_accounts_first_and_the_activity_beside_the_server(db):
    """`make run`'s two steps: the township, members and accounts (a newcomer can log in), no months yet; then the
    months of activity, the same as one full seed_demo makes."""
    from django.contrib.auth import get_user_model

    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--without-activity", password="Demo-two-steps-1", stdout=out)
    assert get_user_model().objects.filter(username="xiang").exists()
    assert "xiang" in out.getvalue()
    assert not MonthlyReport.objects.exists() and not FundEntry.objects.exists()

    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--activity-only", stdout=out)
    assert "Demo activity built" in out.getvalue()
    assert sorted(set(MonthlyReport.objects.values_list("month", flat=True))) == periods.last_months(clock.today(), 13)
    assert FundEntry.objects.exists() and Concern.objects.exists()


def test_a_demo_part_refused_the_write_lock_is_made_again_and_its_last_try_waits_its_turn(db, monkeypatch):
    """`make run` makes the demo's activity beside the server: on SQLite each part begins DEFERRED (no write lock
    while it makes its rows), a part refused its first write because a person wrote meanwhile is made again, and the
    last attempt begins IMMEDIATE so the demo is always completed. Any other database error is not retried."""
    from django.db import OperationalError, connection

    from seeding.demo import build

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL runs each part once: it has no database-wide write lock")
    monkeypatch.setattr(build, "PAUSE_BETWEEN_PARTS", 0)
    monkeypatch.setattr(build.time, "sleep", lambda seconds: None)
    modes = []

    def part():
        modes.append(connection.transaction_mode)
        if len(modes) < build.PART_ATTEMPTS:
            raise OperationalError("database is locked")

    build._beside_the_server(part)
    assert modes == ["DEFERRED"] * (build.PART_ATTEMPTS - 1) + ["IMMEDIATE"]
    assert connection.transaction_mode == "IMMEDIATE"  # the settings' mode again for everything after

    calls = []

    def broken():
        calls.append(connection.transaction_mode)
        raise OperationalError("no such table: demo")

    with pytest.raises(OperationalError, match="no such table"):
        build._beside_the_server(broken)
    assert calls == ["DEFERRED"]
