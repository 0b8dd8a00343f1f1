"""`core.clock`: "now", "today" and "this month" are Beijing's, whatever the UTC date; the suite's own clock; and no
code asks the time anywhere else."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.utils import timezone

from core import clock
from tests.clock import BEIJING, beijing

ROOT = Path(__file__).resolve().parents[1]
UTC = datetime.timezone.utc


def test_it_takes_today_in_beijing_after_midnight_when_utc_is_still_yesterday(frozen_at):
    frozen_at(beijing(2027, 1, 1, 0, 10))
    assert timezone.now().astimezone(UTC).date() == datetime.date(2026, 12, 31)  # what a UTC "today" would say
    assert clock.today() == datetime.date(2027, 1, 1)
    assert clock.this_month() == datetime.date(2027, 1, 1)
    assert clock.this_year() == 2027
    assert clock.now().utcoffset() == datetime.timedelta(hours=8)


def test_it_takes_today_in_beijing_late_in_the_evening(frozen_at):
    frozen_at(datetime.datetime(2026, 12, 31, 15, 30, tzinfo=UTC))  # 23:30 in Beijing
    assert (clock.today(), clock.this_month(), clock.this_year()) == (
        datetime.date(2026, 12, 31),
        datetime.date(2026, 12, 1),
        2026,
    )
    frozen_at(datetime.datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # midnight in Beijing
    assert (clock.today(), clock.this_month(), clock.this_year()) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 1, 1),
        2027,
    )


def test_it_gives_the_local_day_of_a_stored_moment():
    submitted = datetime.datetime(2026, 3, 5, 16, 30, tzinfo=UTC)  # 00:30 on 6 March in Beijing
    assert clock.local_date(submitted) == datetime.date(2026, 3, 6)
    assert clock.local(submitted) == datetime.datetime(2026, 3, 6, 0, 30, tzinfo=BEIJING)


def test_it_follows_the_suites_clock_which_starts_every_test_at_now_and_moves_on(now):
    started = clock.now()
    assert datetime.timedelta(0) <= started - now < datetime.timedelta(minutes=1)
    assert clock.today() == now.astimezone(BEIJING).date()
    assert clock.now() >= started  # tick=True: time still passes


def test_frozen_at_refuses_a_naive_moment(frozen_at):
    try:
        frozen_at(datetime.datetime(2026, 1, 1))
    except ValueError:
        pass
    else:
        raise AssertionError("a naive moment was accepted")


# --- nowhere else asks the time --------------------------------------------------------------------------------------

# ruff's TID251 bans date.today, datetime.now, datetime.today, datetime.utcnow and timezone.localdate/localtime
# wherever they are imported from; these are the spellings a search finds (and one ruff cannot: the UTC date).
FORBIDDEN = re.compile(r"timezone\.localdate\(|timezone\.now\(\)\.date\(\)|localtime\(|date\.today\(|datetime\.now\(")
ALLOWED = {Path("core/clock.py"), Path("tests/test_clock.py")}
SKIPPED_DIRS = {".venv", "venv", ".git", "node_modules", "__pycache__", "static", "media", "backups"}


def _project_sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]) or any(p.startswith(".") for p in relative.parts[:-1]):
            continue
        if relative not in ALLOWED:
            yield relative


def test_no_module_but_core_clock_asks_for_the_date_or_the_local_time():
    found = []
    sources = list(_project_sources())
    assert Path("activity/reports/services.py") in sources  # the search does look at the project
    for relative in sources:
        for number, line in enumerate((ROOT / relative).read_text(encoding="utf-8").splitlines(), start=1):
            if FORBIDDEN.search(line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "ask core.clock (today(), now(), this_month(), local(), local_date()) instead:\n" + "\n".join(
        found
    )
