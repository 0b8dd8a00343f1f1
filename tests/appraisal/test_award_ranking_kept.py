"""The award ranking is kept between requests (appraisal.awards.services.ranked_candidates, under the villages'
change and work counts and the day): whatever it reads, changed by any means, shows at the next request; each
candidate's award is read afresh; what is kept holds no member's numbers; and a kept ranking is only ever shown to
a reader of the same villages."""

from __future__ import annotations

import base64
import datetime
import pickle
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisal.awards.services import CANDIDATES, award_nominate, award_withdraw
from appraisal.models import AppraisalYear, Award, GroupScore, RubricItem, SpotCheck
from groups.models import PartyGroup
from members.models import AnnualReview, PartyMember
from members.standing.models import StandingRules
from tests.appraisal.test_award_views import A1_NAMES, nominating_year, set_score, text
from tests.clock import beijing
from tests.factories import PartyMemberFactory, elect
from tests.kept import tables_read
from tests.members.test_numbers_left_unread import decrypted  # noqa: F401 (a fixture)
from township import changes
from township.models import Village

pytestmark = pytest.mark.django_db
Kind = Award.Kind


@pytest.fixture
def year(org, township_staff, secretary_a1):
    return nominating_year(org, township_staff, secretary_a1)


def _page(client, year, kind=Kind.ADVANCED_GROUP, **params) -> str:
    response = client.get(reverse("awards:year", args=[year.pk]), {"kind": kind, **params})
    assert response.status_code == 200
    return text(response)


def _candidates(page: str) -> str:
    """The ranked candidates' table only (the nominations table above it names nominees too)."""
    return page[page.index('id="candidates"') :]


def _row(page: str, name: str) -> str:
    """The candidates table's row naming `name`."""
    table = _candidates(page)
    start = table.index(name)
    return table[table.rfind("<tr", 0, start) : table.index("</tr>", start)]


def _queries(client, year, kind=Kind.ADVANCED_GROUP) -> int:
    with CaptureQueriesContext(connection) as q:
        _page(client, year, kind)
    return len(q.captured_queries)


def test_the_ranking_is_kept_and_the_kept_page_is_the_page_counted_afresh(org, year, township_staff, login, settings):
    client = login(township_staff)
    for kind in (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER):
        first = _queries(client, year, kind)
        kept = _page(client, year, kind)
        assert _queries(client, year, kind) < first  # the ranking's reads not made again
        settings.VILLAGE_FIGURES_KEPT = False
        fresh = _page(client, year, kind)
        settings.VILLAGE_FIGURES_KEPT = True
        assert _candidates(kept) == _candidates(fresh)


def _rename_group(org, year):
    PartyGroup.objects.filter(pk=org.a1_g2.pk).update(name="罗紫改名党小组")  # a bulk update: no service
    return Kind.ADVANCED_GROUP, "罗紫改名党小组"


def _score(org, year):
    set_score(year, org.a1_g2, 99)  # 罗紫三四社 from 84 to 99: first
    return Kind.ADVANCED_GROUP, "99.0"


def _rubric(org, year):
    RubricItem.objects.filter(year=year).update(max_points=Decimal("50"))  # the maximum doubled
    return Kind.ADVANCED_GROUP, "满分200.0分"


def _spot_check(org, year):
    SpotCheck.objects.create(
        year=year, party_group=org.a1_g2, checked_on=datetime.date(2025, 9, 1), points=Decimal("40"), rating="poor"
    )
    return Kind.ADVANCED_GROUP, "1次评价为差"


def _with_sql(org, year):
    with connection.cursor() as cursor:  # plain SQL: the database counts, not the app
        cursor.execute("UPDATE appraisal_groupscore SET points = 0 WHERE party_group_id = %s", [org.a1_g2.pk])
    return Kind.ADVANCED_GROUP, "0.0"


def _new_leader(org, year):
    member = org.a1_g2_members[0]  # 罗紫三四社 (84 points) had no leader
    elect(org.a1_g2, datetime.date(2025, 3, 1), 4, member)
    return Kind.EXCELLENT_LEADER, member.name


def _rename_member(org, year):
    PartyMember.objects.filter(pk=org.a1_g1_members[0].pk).update(name="罗紫改名党员")
    return Kind.EXCELLENT_MEMBER, "罗紫改名党员"


def _graded(org, year):
    member = org.a1_g2_members[2]
    AnnualReview.objects.create(member=member, year=2025, grade=AnnualReview.Grade.EXCELLENT)
    return Kind.EXCELLENT_MEMBER, member.name


CHANGES = [_rename_group, _score, _rubric, _spot_check, _with_sql, _new_leader, _rename_member, _graded]


@pytest.mark.parametrize("change", CHANGES, ids=lambda f: f.__name__.strip("_"))
def test_a_change_to_what_the_ranking_reads_shows_at_the_next_request(org, year, township_staff, login, change):
    client = login(township_staff)
    for kind in (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER):
        _page(client, year, kind)  # every kind kept
    kind, shown = change(org, year)
    assert shown in _candidates(_page(client, year, kind))


def test_the_townships_standing_rules_show_at_the_next_request(org, year, township_staff, login):
    """A probationary member graded 优秀 is a candidate only where the township allows it (members.standing)."""
    member = PartyMemberFactory(
        village=org.a1, name="罗紫预备党员", status=PartyMember.Status.PROBATIONARY, joined_on=datetime.date(2025, 3, 1)
    )
    AnnualReview.objects.create(member=member, year=2025, grade=AnnualReview.Grade.EXCELLENT)
    client = login(township_staff)
    assert member.name not in _candidates(_page(client, year, Kind.EXCELLENT_MEMBER))
    StandingRules.objects.create(township=org.ta, probationary_may_be_excellent=True)
    assert member.name in _candidates(_page(client, year, Kind.EXCELLENT_MEMBER))


def test_each_candidates_award_is_read_afresh(org, year, township_staff, secretary_a1, login):
    client = login(township_staff)
    nominated = '<span class="status nominated">支部推荐</span>'
    assert nominated not in _row(_page(client, year), "罗紫三四社党小组")
    award = award_nominate(
        year=year, kind=Kind.ADVANCED_GROUP, party_group=org.a1_g2, reason="三四社", acting_user=secretary_a1
    )
    assert nominated in _row(_page(client, year), "罗紫三四社党小组")
    award_withdraw(award=award, acting_user=secretary_a1)
    assert nominated not in _row(_page(client, year), "罗紫三四社党小组")


def test_a_new_day_ranks_afresh(org, year, township_staff, login):
    """The key holds the day (a member's standing is taken on the day, until the year's end): just after midnight in
    Beijing the ranking is read again."""
    client = login(township_staff)
    _page(client, year)
    kept = _queries(client, year)
    with time_machine.travel(beijing(2027, 6, 16, 0, 5), tick=False):
        client = login(township_staff)  # signed in again: the session would have ended overnight
        _page(client, year, Kind.EXCELLENT_LEADER)  # the sign-in's own first reads made
        assert _queries(client, year) > kept


def test_a_kept_ranking_is_shown_only_to_readers_of_the_same_villages(org, year, township_staff, secretary_a2, login):
    for kind in (Kind.ADVANCED_GROUP, Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER):
        assert "罗紫" in _candidates(_page(login(township_staff), year, kind))  # kept for the whole township
        page = _candidates(_page(login(secretary_a2), year, kind))
        assert not any(name in page for name in A1_NAMES)


def test_what_is_kept_holds_no_members_numbers(org, year, township_staff, login, decrypted):  # noqa: F811
    member = org.a1_g1_members[0]
    number = PartyMember.objects.get(pk=member.pk).id_number
    decrypted.clear()
    client = login(township_staff)
    for kind in (Kind.EXCELLENT_LEADER, Kind.EXCELLENT_MEMBER):
        assert member.name in _candidates(_page(client, year, kind))
    assert decrypted == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM core_kept_figures")
        values = [pickle.loads(base64.b64decode(v)) for (v,) in cursor.fetchall()]  # noqa: S301 (our own cache)
    kept = [c for value in values if isinstance(value, list) for c in value if hasattr(c, "member")]
    assert {c.member.pk for c in kept} >= {member.pk}
    for c in kept:
        assert not {"id_number", "phone", "home_address"} & set(vars(c.member))
        assert c.award is None
    assert number and number not in repr(values)


def test_what_the_ranking_reads_is_every_table_counted(org, year, settings):
    settings.VILLAGE_FIGURES_KEPT = False
    villages = Village.objects.filter(township=org.ta)
    with CaptureQueriesContext(connection) as ranking:
        for rank in CANDIDATES.values():
            rank(AppraisalYear.objects.get(pk=year.pk), villages, awards=False)
    read = tables_read(ranking.captured_queries)
    assert {"appraisal_groupscore", "groups_grouppost", "members_annualreview", "members_standingrules"} <= read
    assert read <= set(changes.tables()) | set(changes.work_tables())


def test_a_score_entered_while_the_page_is_read_is_not_lost(org, year, township_staff, login):
    """A change committed after the ranking was read raises the count: the next request ranks again."""
    client = login(township_staff)
    _page(client, year)
    GroupScore.objects.filter(year=year, party_group=org.a1_g2).update(points=Decimal("24"))
    assert "96.0" in _row(_page(client, year), "罗紫三四社党小组")
