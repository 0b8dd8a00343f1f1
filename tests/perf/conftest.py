"""A world that can be grown: every key page is counted once, the data is tripled, and it is counted again.

`world.grow()` adds one more unit of every kind of row the key pages read — a village in township A, a party group
with members, coverage and a leader election in village A1, reports with activities and participants, concerns,
ledger entries, scores, 民主评议 grades and decided awards — through the same services the application uses. The
fixture builds one unit; two more calls make the 3× world the counts are compared on.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest

from activity.concerns.services import concern_record
from activity.models import Concern
from activity.reports.services import activity_save, report_for, report_submit
from appraisal.awards.services import award_decide, award_nominate, year_start_nominating
from appraisal.models import AppraisalYear, Award, GroupScore, RubricItem
from core import clock, periods
from groups.ledger.services import decision_record, fund_entry_post
from members.models import AnnualReview
from tests.factories import (
    PartyGroupFactory,
    PartyMemberFactory,
    VillagerGroupFactory,
    cover,
    elect,
    grow_township,
    join,
)

TODAY = clock.today()
THIS_MONTH = periods.month_of(TODAY)
MONTH = periods.add_months(THIS_MONTH, -2)  # a past month, still open
YEAR = TODAY.year - 1
Kind = Award.Kind


class World:
    """The conftest `org` with an appraisal year taking nominations, and a way to add one more of everything."""

    def __init__(self, org, township_staff, secretary_a1):
        self.org = org
        self.staff = township_staff
        self.secretary = secretary_a1
        self.vg = org.a1_vgs[0]
        self.units = 0
        self._numbers = itertools.count(100)
        self.year = AppraisalYear.objects.create(
            township=org.ta,
            year=YEAR,
            advanced_group_quota=50,
            excellent_leader_quota=50,
            excellent_member_quota=50,
        )
        self.item = RubricItem.objects.create(year=self.year, name="工作实绩", max_points=Decimal("25"))
        year_start_nominating(year=self.year, acting_user=township_staff)
        self.year.refresh_from_db()
        self.report = report_for(party_group=org.a1_g1, month=MONTH, acting_user=secretary_a1)
        self.grow()

    def grow(self) -> None:
        """One more unit of every kind of row."""
        self.units += 1
        n = next(self._numbers)
        grow_township(self.org.ta, 1, prefix=f"增长{n}")
        group, members = self._party_group_in_a1(n)
        self._month_work(group, members, n)
        self._concerns(n)
        self._ledger(n)
        self._appraisal(group, members)

    def _party_group_in_a1(self, n: int):
        a1 = self.org.a1
        vgs = [VillagerGroupFactory(village=a1, number=n * 2 + k, name=f"{n * 2 + k}社") for k in (0, 1)]
        group = PartyGroupFactory(village=a1, name=f"罗紫{n}社党小组")
        members = [PartyMemberFactory(village=a1, name=f"罗紫增长党员{n}-{k}") for k in range(4)]
        join(members, group)
        cover(group, vgs)
        elect(group, datetime.date(2024, 3, 1), 4, members[0], [members[1]])
        return group, members

    def _month_work(self, group, members, n: int) -> None:
        """The base group's report gains activities; the new group reports this month and the past month."""
        for k in range(2):
            self.report.refresh_from_db()
            activity_save(
                report=self.report,
                version=self.report.version,
                acting_user=self.secretary,
                kind="visit",
                held_on=MONTH + datetime.timedelta(days=k + 2),
                content=f"入户走访{n}-{k}",
                participants=self.org.a1_g1_members[:3],
                villager_group=self.vg,
            )
        for month in (MONTH, THIS_MONTH):
            report = report_for(party_group=group, month=month, acting_user=self.secretary)
            report = activity_save(
                report=report,
                version=report.version,
                acting_user=self.secretary,
                kind="visit",
                held_on=month,
                content=f"党小组会{n}",
                participants=members[:2],
            ).report
            report_submit(report=report, version=report.version, acting_user=self.secretary)

    def _concerns(self, n: int) -> None:
        for k, handling in enumerate([Concern.Handling.TOWNSHIP, Concern.Handling.BRANCH, Concern.Handling.TOWNSHIP]):
            concern_record(
                villager_group=self.vg,
                raised_through=self.org.a1_g1_members[k],
                raised_on=TODAY - datetime.timedelta(days=k * 12 + 1),
                category=Concern.Category.INFRASTRUCTURE,
                content=f"群众反映{n}-{k}",
                handling=handling,
                acting_user=self.secretary,
            )

    def _ledger(self, n: int) -> None:
        decision = decision_record(
            villager_group=self.vg,
            held_on=TODAY - datetime.timedelta(days=20),
            subject=f"集体经费使用{n}",
            basis="households",
            entitled=30,
            present=25,
            votes_for=20,
            acting_user=self.secretary,
        )
        for k in range(12):  # enough to turn a ledger page
            fund_entry_post(
                villager_group=self.vg,
                entry_date=TODAY - datetime.timedelta(days=19 - k),
                direction="expense" if k % 3 == 2 else "income",
                amount=Decimal("30.00") if k % 3 == 2 else Decimal("120.00"),
                category="other" if k % 3 == 2 else "subsidy",
                purpose=f"经费{n}-{k}",
                decision=decision if k % 3 == 2 else None,
                acting_user=self.secretary,
            )

    def _appraisal(self, group, members) -> None:
        for q in range(1, 5):
            GroupScore.objects.create(year=self.year, party_group=group, quarter=q, item=self.item, points=20)
        for m in members[:2]:
            AnnualReview.objects.create(member=m, year=YEAR, grade=AnnualReview.Grade.EXCELLENT)
        awards = [
            award_nominate(
                year=self.year, kind=Kind.ADVANCED_GROUP, party_group=group, reason="先进", acting_user=None
            ),
            award_nominate(
                year=self.year, kind=Kind.EXCELLENT_LEADER, member=members[0], reason="带头", acting_user=None
            ),
            award_nominate(
                year=self.year, kind=Kind.EXCELLENT_MEMBER, member=members[1], reason="优秀", acting_user=None
            ),
        ]
        decided = list(Award.objects.filter(year=self.year, status=Award.Status.DECIDED))
        award_decide(year=self.year, awards=[*decided, *awards], acting_user=self.staff)


@pytest.fixture
def world(org, township_staff, secretary_a1):
    return World(org, township_staff, secretary_a1)
