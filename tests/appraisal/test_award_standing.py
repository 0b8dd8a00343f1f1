"""Awards read standing on the award year's date: who has left or is suspended is not proposed; a probationary member
is 优秀党员 only where the township allows it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from appraisal.awards.services import award_nominate
from appraisal.models import AppraisalYear, Award
from groups.standing.services import standing_record
from members.models import AnnualReview, PartyMember
from members.standing.models import StandingChange, StandingRules
from tests.factories import PartyMemberFactory

pytestmark = pytest.mark.django_db
Kind = StandingChange.Kind
YEAR = 2026


@pytest.fixture
def year(org):
    return AppraisalYear.objects.create(township=org.ta, year=YEAR, state=AppraisalYear.State.NOMINATING)


def nominate(year, member, user):
    AnnualReview.objects.get_or_create(member=member, year=YEAR, defaults={"grade": "excellent"})
    return award_nominate(year=year, kind=Award.Kind.EXCELLENT_MEMBER, member=member, reason="优秀", acting_user=user)


def test_a_member_who_left_during_the_year_cannot_be_proposed(year, org, secretary_a1):
    m = org.a1_g1_members[1]
    standing_record(member=m, kind=Kind.DIED, on=datetime.date(YEAR, 10, 1), acting_user=secretary_a1)
    with pytest.raises(ValidationError) as exc:
        nominate(year, m, secretary_a1)
    assert "已不在本支部" in exc.value.messages[0]


def test_a_member_who_left_after_the_year_still_can(year, org, secretary_a1):
    m = org.a1_g1_members[1]
    standing_record(member=m, kind=Kind.DIED, on=datetime.date(YEAR + 1, 2, 1), acting_user=secretary_a1)
    assert nominate(year, m, secretary_a1).member == m


def test_a_suspended_member_cannot_be_proposed(year, org, secretary_a1):
    m = org.a1_g1_members[2]
    standing_record(
        member=m, kind=Kind.SUSPENDED, on=datetime.date(YEAR, 6, 1), decision="乡党委决定", acting_user=secretary_a1
    )
    with pytest.raises(ValidationError) as exc:
        nominate(year, m, secretary_a1)
    assert "停止党籍" in exc.value.messages[0]


def test_a_probationary_member_is_excellent_only_where_the_township_allows(year, org, secretary_a1):
    m = PartyMemberFactory(village=org.a1, status=PartyMember.Status.PROBATIONARY, joined_on=datetime.date(YEAR, 3, 1))
    with pytest.raises(ValidationError) as exc:
        nominate(year, m, secretary_a1)
    assert "预备党员" in exc.value.messages[0]
    StandingRules.objects.create(township=org.ta, probationary_may_be_excellent=True)
    assert nominate(year, m, secretary_a1).member == m


def test_a_member_confirmed_before_the_years_end_counts_as_full(year, org, secretary_a1):
    m = PartyMemberFactory(
        village=org.a1, status=PartyMember.Status.PROBATIONARY, joined_on=datetime.date(YEAR - 1, 3, 1)
    )
    standing_record(
        member=m, kind=Kind.CONFIRMED, on=datetime.date(YEAR, 3, 1), decision="支部大会决议", acting_user=secretary_a1
    )
    assert nominate(year, m, secretary_a1).member == m
