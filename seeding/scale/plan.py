"""What the scale generator knows about one township while it writes it: ids, dates, people, and the run's clock.

Nothing here touches the database; the stages (org, work, funds, appraisal) read and fill these plans and hand rows
to the writer.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from core import periods
from seeding.scale.names import Identities
from seeding.scale.writer import RowWriter

TZ = ZoneInfo(settings.TIME_ZONE)
TOWNSHIPS_PER_COUNTY = 20


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """An aware time on a day, in the project's time zone."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@dataclass
class Calendar:
    """The run's dates: the months reported (12 × years, ending with this month), when the groups were set up, and
    the appraisal years (every calendar year reported before this one is decided; this year is open)."""

    today: datetime.date
    years: int
    months: list[datetime.date] = field(init=False)
    established: datetime.date = field(init=False)
    decided_years: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.months = periods.last_months(self.today, 12 * self.years)
        # The survey's groups were set up in December, when the villager-group cadres were abolished on 1 January.
        self.established = datetime.date(self.months[0].year - 1, 12, 20)
        self.decided_years = list(range(self.months[0].year, self.today.year))

    @property
    def now(self) -> datetime.datetime:
        return at(self.today, 12)


@dataclass
class Member:
    id: int
    village_id: int
    name: str
    sex: str
    birth: datetime.date
    tags: tuple[bool, bool, bool]  # former cadre, old member, 双带
    joined: datetime.date | None = None


@dataclass
class Group:
    """A party group, its villager groups, members (leader first), and who led it when."""

    id: int
    village_id: int
    name: str
    vgs: list[tuple[int, int]]  # (villager group id, households)
    members: list[Member]
    terms: list[tuple[int, datetime.date, datetime.date | None]] = field(default_factory=list)  # leader, from, until
    quality: float = 0.75  # how well the group works, year on year

    def leader_on(self, day: datetime.date) -> int:
        for member_id, start, end in self.terms:
            if periods.in_force_on(start, end, day):
                return member_id
        return self.terms[0][0]


@dataclass
class VillagePlan:
    id: int
    name: str
    secretary_id: int  # the branch secretary's account
    secretary_name: str
    groups: list[Group] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)  # every member of the branch, grouped or not
    # former members (left, or standing suspended, before the groups were set up): in no group and in none of the
    # records of the years generated (`seeding.scale.standing`)
    former: list[tuple[Member, str, datetime.date]] = field(default_factory=list)  # (member, status, changed on)


@dataclass
class Records:
    """What the appraisal's computed items read in a township's records (the facts of
    `appraisal.scoring.evidence.QuarterFacts`), noted by the stages as they write the rows, so the appraisal stage
    scores the quarters from the generated records with the scoring service's own scorers."""

    # (party group, month) → (report status, day first submitted or None)
    reports: dict[tuple[int, datetime.date], tuple[str, datetime.date | None]] = field(default_factory=dict)
    # (party group, month) → (party group meetings, households reached) over the month's activities
    activity: dict[tuple[int, datetime.date], tuple[int, int]] = field(default_factory=dict)
    # party group → [(due on, concern id, resolved on)] of the concerns relayed with a due date
    concerns: dict[int, list[tuple[datetime.date, int, datetime.date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    # party group → {entry id: (entry date, amount, decision id, decision publicised on)}: the entries that needed a
    # villager group meeting decision (a reversal needs none, and a reversed entry no longer counts)
    entries: dict[int, dict[int, tuple[datetime.date, Decimal, int | None, datetime.date | None]]] = field(
        default_factory=lambda: defaultdict(dict)
    )


@dataclass
class Town:
    """One generated township: its account ids and villages, and the records the appraisal reads."""

    number: int  # 1-based across runs: the township account is t0001
    id: int
    name: str
    county_id: int
    region: str
    staff_id: int
    villages: list[VillagePlan] = field(default_factory=list)
    records: Records = field(default_factory=Records)
    orglife_rng: random.Random | None = None  # the 党小组会 written with the reports draw from their own source

    @property
    def groups(self) -> list[Group]:
        return [g for v in self.villages for g in v.groups]


class Stages:
    """Seconds spent generating each stage, not counting the time it waited for the database writes."""

    def __init__(self, writer: RowWriter):
        self.writer = writer
        self.seconds: dict[str, float] = defaultdict(float)

    @contextmanager
    def __call__(self, name: str):
        started, blocked = time.monotonic(), self.writer.blocked
        try:
            yield
        finally:
            self.seconds[name] += time.monotonic() - started - (self.writer.blocked - blocked)


@dataclass
class Run:
    """Everything a stage needs: the writer, the calendar, the shared password hash, the random source."""

    writer: RowWriter
    calendar: Calendar
    password_hash: str
    seed: int
    stages: Stages
    identities: Identities = field(default_factory=Identities)  # the county's (`seeding.scale.write_county`)
    taken_hashes: frozenset[str] = frozenset()  # keyed hashes of the ID numbers already on record (appending)
    # (township id, year) → {party group id: year score}: what each decided year's awards were chosen by
    year_scores: dict[tuple[int, int], dict[int, Decimal]] = field(default_factory=dict)
    dues_rates: list = field(default_factory=list)  # dues.rules.Rates of every rate table, read before the writes

    def rng_for(self, key: object, stage: str) -> random.Random:
        """A random source per township (or county) and stage, the same whatever else the run does."""
        return random.Random(f"{self.seed}:{key}:{stage}")  # noqa: S311 - synthetic data, not security
