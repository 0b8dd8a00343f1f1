"""The appraisal pages (/appraisal/) and their downloads: who sees and writes what (the scoping matrix), forms that keep
what was typed and answer next to the field, query counts that do not grow with rows, and the workbooks' cells."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from appraisal.models import AppraisalYear, BranchAppraisal, GroupScore, RubricItem, SpotCheck, YearReopening
from appraisal.scoring import services as scoring
from core import clock
from members.models import AnnualReview
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import PartyGroupFactory, PartyMemberFactory, UserFactory, assign, grow_township
from township.models import Assignment

YEAR = clock.this_year() - 1
D = Decimal
Source = RubricItem.Source
Grade = AnnualReview.Grade
A1_NAMES = ("罗紫一二社党小组", "罗紫三四社党小组", "罗紫党员1")


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def ay(org, township_staff):
    """Township A's appraisal of last year, with Q1 computed, a manual score, a spot check with a notice, and a
    branch row for 罗紫村 — all through the services."""
    year = scoring.appraisal_year_open(township=org.ta, year=YEAR, acting_user=township_staff)
    scoring.scores_compute(year=year, quarter=1, acting_user=township_staff)
    manual = year.rubric.get(source=Source.MANUAL)
    scoring.score_enter(
        year=year, party_group=org.a1_g1, quarter=1, item=manual, points=D("9"), evidence="走访罗紫村民10户，9户满意",
        acting_user=township_staff,
    )  # fmt: skip
    year.check = scoring.spot_check_record(
        year=year, party_group=org.a1_g1, checked_on=datetime.date(YEAR, 5, 20), checked_by="组织委员",
        by_visit=True, findings="罗紫一二社会议记录不全", rating="poor", points=D("60"),
        rectification="补齐会议记录", rectify_by=datetime.date(YEAR, 6, 20), acting_user=township_staff,
    )  # fmt: skip
    scoring.branch_appraisal_enter(year=year, village=org.a1, township_points=D("90"), acting_user=township_staff)
    return year


# name → URL for A1's objects; each answers 404 to another village's secretary and to another township's staff.
OBJECT_URLS = {
    "appraisal:group": lambda o, y: reverse("appraisal:group", args=[y.pk, o.a1_g1.pk]),
    "appraisal:quarter": lambda o, y: reverse("appraisal:quarter", args=[y.pk, o.a1_g1.pk, 1]),
    "appraisal:score-enter": lambda o, y: reverse("appraisal:score-enter", args=[y.pk, o.a1_g1.pk]),
    "appraisal:spot-check": lambda o, y: reverse("appraisal:spot-check", args=[y.check.pk]),
    "appraisal:spot-check-follow-up": lambda o, y: reverse("appraisal:spot-check-follow-up", args=[y.check.pk]),
    "appraisal:village-reviews": lambda o, y: reverse("appraisal:village-reviews", args=[y.pk, o.a1.pk]),
    "appraisal:branch-enter": lambda o, y: reverse("appraisal:branch-enter", args=[y.pk, o.a1.pk]),
}
# The year's pages: another township's staff get 404; the township's secretaries see their own village's part.
YEAR_READS = ["year", "scores", "scores-xlsx", "spot-checks", "reviews", "branches", "branches-xlsx"]
YEAR_WRITES = ["compute", "spot-check-new", "spot-check-draw", "branches-refresh"]
OBJECT_WRITES = ["appraisal:score-enter", "appraisal:spot-check-follow-up", "appraisal:branch-enter"]

PAYLOAD = {
    "quarter": "2", "item": "", "points": "5", "evidence": "越权", "party_group": "", "checked_on": f"{YEAR}-05-01",
    "checked_by": "外人", "by_visit": "on", "findings": "越权", "rating": "good", "follow_up": "越权",
    "rectified_on": f"{YEAR}-06-01", "township_points": "10", "notes": "越权", "count": "2", "year": str(YEAR + 5),
}  # fmt: skip


def year_url(name, y) -> str:
    return reverse(f"appraisal:{name}", args=[y.pk])


def snapshot() -> dict:
    """Every row of the app's tables (history included), to prove that nothing changed."""
    out = {}
    for label in ("appraisal", "members"):
        for model in apps.get_app_config(label).get_models():
            out[model._meta.label] = sorted(map(str, model.objects.values_list()))
    return out


def payload(org, ay) -> dict:
    data = dict(PAYLOAD)
    data["item"] = str(ay.rubric.get(source=Source.MANUAL).pk)
    data["party_group"] = str(org.a1_g1.pk)
    data[f"grade_{org.a1_g1_members[0].pk}"] = Grade.UNQUALIFIED
    return data


def workbook(response):
    return load_workbook(BytesIO(response.content))


def all_cells(wb) -> str:
    return " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None)


# --- the scoping matrix --------------------------------------------------------------------------------------------


@pytest.fixture(params=["secretary_a2", "township_b_staff"])
def outsider(request, org):
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("name", sorted(OBJECT_URLS))
def test_an_outsider_gets_404_for_a1s_objects_and_changes_nothing(name, org, ay, outsider, login):
    client = login(outsider)
    url = OBJECT_URLS[name](org, ay)
    before = snapshot()
    get = client.get(url)
    assert get.status_code in (404, 405), f"GET {url} answered {get.status_code}"
    if get.status_code == 404:
        assert not any(s in text(get) for s in A1_NAMES)
    assert client.post(url, payload(org, ay)).status_code == 404, url
    assert snapshot() == before


@pytest.mark.parametrize("name", YEAR_READS + YEAR_WRITES)
def test_another_townships_staff_get_404_for_every_page_of_the_year(name, org, ay, township_b_staff, login):
    client = login(township_b_staff)
    before = snapshot()
    assert client.get(year_url(name, ay)).status_code in (404, 405)
    assert client.post(year_url(name, ay), payload(org, ay)).status_code in (404, 405)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["year", "scores", "spot-checks", "branches"])
def test_another_villages_secretary_sees_only_their_own_part_of_the_year(name, org, ay, secretary_a2, login):
    response = login(secretary_a2).get(year_url(name, ay))
    assert response.status_code == 200
    page = text(response)
    assert not any(s in page for s in A1_NAMES + ("罗紫村",)), name


def test_a_secretarys_downloads_hold_only_their_village(org, ay, secretary_a2, login):
    client = login(secretary_a2)
    for name in ("scores-xlsx", "branches-xlsx"):
        cells = all_cells(workbook(client.get(year_url(name, ay))))
        assert "井阳" in cells, name
        assert not any(s in cells for s in A1_NAMES + ("罗紫村",)), name


def test_the_secretary_goes_from_the_reviews_to_their_own_village(org, ay, secretary_a2, login):
    response = login(secretary_a2).get(year_url("reviews", ay))
    assert response["Location"] == reverse("appraisal:village-reviews", args=[ay.pk, org.a2.pk])


def test_the_matrix_would_see_a_leak(org, ay, secretary_a1, township_staff, login):
    """The same URLs answer the village's own people: the 404s above are isolation, not broken pages."""
    for user, names in ((secretary_a1, ["appraisal:group", "appraisal:quarter", "appraisal:spot-check",
                                        "appraisal:village-reviews"]),
                        (township_staff, sorted(OBJECT_URLS))):  # fmt: skip
        client = login(user)
        for name in names:
            if name == "appraisal:spot-check-follow-up":
                continue  # POST only
            response = client.get(OBJECT_URLS[name](org, ay))
            assert response.status_code == 200, (user, name)
            assert any(s in text(response) for s in A1_NAMES + ("罗紫村",)), name


def test_the_county_viewer_reads_every_page(org, ay, county_viewer, login):
    client = login(county_viewer)
    for name in YEAR_READS:
        assert client.get(year_url(name, ay)).status_code == 200, name
    for name in ("appraisal:group", "appraisal:quarter", "appraisal:spot-check", "appraisal:village-reviews"):
        assert client.get(OBJECT_URLS[name](org, ay)).status_code == 200, name
    assert client.get(reverse("appraisal:index")).status_code == 200


def test_the_county_viewer_gets_403_on_every_write_and_nothing_changes(org, ay, county_viewer, login):
    client = login(county_viewer)
    before = snapshot()
    for name in YEAR_WRITES:
        assert client.post(year_url(name, ay), payload(org, ay)).status_code == 403, name
    for name in [*OBJECT_WRITES, "appraisal:village-reviews"]:
        assert client.post(OBJECT_URLS[name](org, ay), payload(org, ay)).status_code == 403, name
    for name in ("appraisal:score-enter", "appraisal:branch-enter"):
        assert client.get(OBJECT_URLS[name](org, ay)).status_code == 403, name
    for name in ("spot-check-new", "spot-check-draw"):
        assert client.get(year_url(name, ay)).status_code == 403, name
    assert client.post(reverse("appraisal:year-new"), {"year": YEAR + 1}).status_code == 403
    assert snapshot() == before


def test_a_secretary_gets_403_on_the_townships_writes(org, ay, secretary_a1, login):
    client = login(secretary_a1)
    before = snapshot()
    for name in YEAR_WRITES:
        assert client.post(year_url(name, ay), payload(org, ay)).status_code == 403, name
    for name in OBJECT_WRITES:
        assert client.post(OBJECT_URLS[name](org, ay), payload(org, ay)).status_code == 403, name
    assert client.post(reverse("appraisal:year-new"), {"year": YEAR + 1}).status_code == 403
    assert snapshot() == before


def test_a_group_leader_has_no_appraisal_pages(org, ay, login):
    leader = UserFactory(username="zuzhang")
    assign(leader, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    client = login(leader)
    assert client.get(year_url("year", ay)).status_code == 404
    assert client.get(OBJECT_URLS["appraisal:group"](org, ay)).status_code == 404
    assert "东河乡" not in text(client.get(reverse("appraisal:index")))


# --- years ---------------------------------------------------------------------------------------------------------


def test_township_staff_open_a_year_from_the_index(org, township_staff, login):
    client = login(township_staff)
    page = text(client.get(reverse("appraisal:index")))
    assert reverse("appraisal:year-new") in page
    response = client.post(reverse("appraisal:year-new"), {"year": YEAR})
    year = AppraisalYear.objects.get(township=org.ta, year=YEAR)
    assert response["Location"] == reverse("appraisal:year", args=[year.pk])
    assert year.rubric.count() == 6
    again = client.post(reverse("appraisal:year-new"), {"year": YEAR})
    assert again.status_code == 400
    assert "year" in again.context["form"].errors
    assert AppraisalYear.objects.filter(township=org.ta).count() == 1
    assert client.get(reverse("appraisal:year-new")).status_code == 302


def test_the_index_lists_only_the_townships_in_reach(org, ay, township_b_staff, secretary_a1, login):
    assert "东河乡" not in text(login(township_b_staff).get(reverse("appraisal:index")))
    page = text(login(secretary_a1).get(reverse("appraisal:index")))
    assert reverse("appraisal:year", args=[ay.pk]) in page
    assert reverse("appraisal:year-new") not in page


def test_the_year_page_shows_its_rules_and_items(org, ay, township_staff, login):
    page = text(login(township_staff).get(year_url("year", ay)))
    for name in ("月报按时报送", "入户走访户数", "群众评价"):
        assert name in page
    assert "1/3" in page


# --- scores --------------------------------------------------------------------------------------------------------


def test_township_staff_compute_a_quarter_from_the_scores_page(org, ay, township_staff, login):
    client = login(township_staff)
    assert 'name="quarter" value="2"' in text(client.get(year_url("scores", ay)))
    response = client.post(year_url("compute", ay), {"quarter": "2"})
    assert response["Location"] == year_url("scores", ay)
    assert GroupScore.objects.filter(year=ay, quarter=2).count() == 3 * 5
    assert any("2" in str(m) for m in get_messages(response.wsgi_request))


def test_a_locked_year_is_not_computed_and_says_why(org, ay, township_staff, login):
    AppraisalYear.objects.filter(pk=ay.pk).update(state=AppraisalYear.State.DECIDED)
    client = login(township_staff)
    assert 'name="quarter"' not in text(client.get(year_url("scores", ay)))
    response = client.post(year_url("compute", ay), {"quarter": "2"}, follow=True)
    assert not GroupScore.objects.filter(year=ay, quarter=2).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_the_scores_table_ranks_the_groups_and_links_each_figure(org, ay, township_staff, login):
    response = login(township_staff).get(year_url("scores", ay))
    rows = response.context["page"].object_list
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    assert [r.year_score for r in rows] == sorted((r.year_score for r in rows), reverse=True)
    assert {r.group for r in rows} == {org.a1_g1, org.a1_g2, org.a2_g1}
    page = text(response)
    assert reverse("appraisal:quarter", args=[ay.pk, org.a1_g1.pk, 1]) in page
    assert not any(name in page for name in TOWNSHIP_B_NAMES)


def test_the_quarter_page_shows_every_item_with_its_points_and_evidence(org, ay, township_staff, login):
    response = login(township_staff).get(OBJECT_URLS["appraisal:quarter"](org, ay))
    detail = response.context["detail"]
    assert len(detail) == 6 and all(d.score for d in detail)
    page = text(response)
    assert "走访罗紫村民10户，9户满意" in page
    month = datetime.date(YEAR, 1, 1)
    assert reverse("activity:report", args=[org.a1_g1.pk, month]) in page
    assert response.context["total"] == sum(d.score.points for d in detail)


def test_the_assessor_enters_manual_points_and_an_error_keeps_the_input(org, ay, township_staff, login):
    client = login(township_staff)
    url = OBJECT_URLS["appraisal:score-enter"](org, ay)
    manual = ay.rubric.get(source=Source.MANUAL)
    data = {"quarter": "2", "item": str(manual.pk), "points": "12", "evidence": "走访8户"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "points" in response.context["form"].errors
    assert 'value="12"' in text(response) and "走访8户" in text(response)
    assert not GroupScore.objects.filter(year=ay, quarter=2, item=manual).exists()
    response = client.post(url, {**data, "points": "7.5"})
    assert response["Location"] == reverse("appraisal:quarter", args=[ay.pk, org.a1_g1.pk, 2])
    assert GroupScore.objects.get(year=ay, quarter=2, item=manual, party_group=org.a1_g1).points == D("7.5")


def test_changing_the_points_opens_the_form_with_the_points_and_their_basis_as_they_stand(
    org, ay, township_staff, login
):
    client = login(township_staff)
    manual = ay.rubric.get(source=Source.MANUAL)
    data = {"quarter": "2", "item": str(manual.pk), "points": "7.5", "evidence": "走访8户，7户满意"}
    client.post(OBJECT_URLS["appraisal:score-enter"](org, ay), data)
    quarter_page = text(client.get(reverse("appraisal:quarter", args=[ay.pk, org.a1_g1.pk, 2])))
    change = re.search(rf'href="([^"]*/score/[^"]*item={manual.pk}[^"]*)"[^>]*>修改得分', quarter_page)
    assert change, "the quarter page links to changing the points"
    page = text(client.get(change.group(1).replace("&amp;", "&")))
    assert 'value="7.50"' in page and "走访8户，7户满意" in page
    other = client.get(OBJECT_URLS["appraisal:score-enter"](org, ay) + f"?quarter=3&item={manual.pk}")
    assert "走访8户" not in text(other) and other.context["form"].initial.get("points") is None


def test_the_score_form_offers_only_manual_items(org, ay, township_staff, login):
    form = login(township_staff).get(OBJECT_URLS["appraisal:score-enter"](org, ay)).context["form"]
    assert [i.source for i in form.fields["item"].queryset] == [Source.MANUAL]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_the_scores_table_runs_a_fixed_number_of_queries(org, ay, township_staff, login, django_assert_max_num_queries):
    client = login(township_staff)
    url = year_url("scores", ay)
    client.get(url)
    small = count_queries(client, url)
    grow_township(org.ta, 6)
    scoring.scores_compute(year=ay, quarter=1, acting_user=township_staff)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 9
    assert count_queries(client, url) == small


# --- spot checks ---------------------------------------------------------------------------------------------------


def check_data(org, **changes):
    data = {
        "party_group": str(org.a2_g1.pk), "checked_on": f"{YEAR}-07-01", "checked_by": "乡纪委", "by_visit": "on",
        "findings": "井阳未按月开会", "rating": "poor", "points": "55", "rectification": "", "rectify_by": "",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_poor_check_without_a_notice_is_refused_next_to_the_field(org, ay, township_staff, login):
    client = login(township_staff)
    response = client.post(year_url("spot-check-new", ay), check_data(org))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"rectification"}
    assert "井阳未按月开会" in text(response)
    assert SpotCheck.objects.count() == 1
    response = client.post(
        year_url("spot-check-new", ay), check_data(org, rectification="每月开会", rectify_by=f"{YEAR}-08-01")
    )
    check = SpotCheck.objects.get(party_group=org.a2_g1)
    assert response["Location"] == reverse("appraisal:spot-check", args=[check.pk])
    assert (check.rectify_by, check.recorded_by) == (datetime.date(YEAR, 8, 1), township_staff)


def test_the_check_form_offers_only_the_townships_groups(org, ay, township_staff, login):
    form = login(township_staff).get(year_url("spot-check-new", ay)).context["form"]
    assert set(form.fields["party_group"].queryset) == {org.a1_g1, org.a1_g2, org.a2_g1}


def test_the_follow_up_is_recorded_on_the_checks_page(org, ay, township_staff, login):
    client = login(township_staff)
    url = OBJECT_URLS["appraisal:spot-check"](org, ay)
    assert "overdue" in text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    response = client.post(
        OBJECT_URLS["appraisal:spot-check-follow-up"](org, ay),
        {"follow_up": "复查：会议记录已补齐", "rectified_on": f"{YEAR}-06-18"},
    )
    assert response["Location"] == url
    ay.check.refresh_from_db()
    assert ay.check.rectified_on == datetime.date(YEAR, 6, 18)
    bad = client.post(OBJECT_URLS["appraisal:spot-check-follow-up"](org, ay), {"follow_up": "", "rectified_on": ""})
    assert bad.status_code == 400
    assert "follow_up" in bad.context["form"].errors


def test_the_draw_shows_the_groups_and_its_number(org, ay, township_staff, login):
    grow_township(org.ta, 4)
    client = login(township_staff)
    response = client.get(year_url("spot-check-draw", ay), {"count": "3"})
    drawn = response.context["drawn"]
    seed = response.context["seed"]
    assert len(drawn) == 3
    assert org.a1_g1 not in [g for g, _ in drawn]  # already checked this year
    again = client.get(year_url("spot-check-draw", ay), {"count": "3", "seed": str(seed)})
    assert again.context["drawn"] == drawn
    assert not SpotCheck.objects.exclude(pk=ay.check.pk).exists()


def test_the_spot_check_list_runs_a_fixed_number_of_queries(
    org, ay, township_staff, login, django_assert_max_num_queries
):
    client = login(township_staff)
    url = year_url("spot-checks", ay)
    client.get(url)
    small = count_queries(client, url)
    for v in grow_township(org.ta, 5):
        scoring.spot_check_record(
            year=ay, party_group=v.party_groups.get(), checked_on=datetime.date(YEAR, 3, 3), checked_by="组织委员",
            by_reading_records=True, findings="台账齐全", rating="good", points=D("90"), acting_user=township_staff,
        )  # fmt: skip
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert len(response.context["rows"]) == 6
    assert count_queries(client, url) == small


# --- 民主评议 ------------------------------------------------------------------------------------------------------


def grades_post(org, excellent: int) -> dict:
    members = [*org.a1_g1_members, *org.a1_g2_members]
    return {f"grade_{m.pk}": Grade.EXCELLENT if n < excellent else Grade.QUALIFIED for n, m in enumerate(members)}


def test_the_secretary_enters_every_members_grade_in_one_form(org, ay, secretary_a1, login):
    client = login(secretary_a1)
    url = OBJECT_URLS["appraisal:village-reviews"](org, ay)
    form = client.get(url).context["form"]
    assert len(form.fields) == 10  # every member of 罗紫村 that year
    response = client.post(url, grades_post(org, 3))
    assert response["Location"] == url
    assert AnnualReview.objects.filter(year=YEAR, member__village=org.a1).count() == 9
    assert AnnualReview.objects.filter(grade=Grade.EXCELLENT, entered_by=secretary_a1).count() == 3


def test_too_many_excellent_grades_are_refused_with_the_input_kept(org, ay, secretary_a1, login):
    client = login(secretary_a1)
    url = OBJECT_URLS["appraisal:village-reviews"](org, ay)
    response = client.post(url, grades_post(org, 4), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = text(response)
    assert "10 members entitled to be reviewed" in page and "at most 3" in page
    first = org.a1_g1_members[3]  # the fourth 优秀 chosen stays chosen
    assert '<option value="excellent" selected>' in page.split(f'name="grade_{first.pk}"')[1].split("</select>")[0]
    assert not AnnualReview.objects.exists()


def test_township_staff_may_grade_and_the_county_only_reads(org, ay, township_staff, county_viewer, login):
    url = OBJECT_URLS["appraisal:village-reviews"](org, ay)
    assert login(township_staff).post(url, grades_post(org, 1)).status_code == 302
    page = text(login(county_viewer).get(url))
    assert "<select" not in page
    assert AnnualReview.objects.count() == 9


def test_the_reviews_overview_shows_each_branch_against_the_limit(org, ay, township_staff, login):
    login(township_staff).post(OBJECT_URLS["appraisal:village-reviews"](org, ay), grades_post(org, 3))
    rows = login(township_staff).get(year_url("reviews", ay)).context["rows"]
    by_village = {r.village: (r.entitled, r.graded, r.excellent, r.allowed) for r in rows}
    assert by_village[org.a1] == (10, 9, 3, 3)  # the limit is a third of the ten entitled, not of the nine graded
    entitled_a2 = by_village[org.a2][0]
    assert by_village[org.a2] == (entitled_a2, 0, 0, entitled_a2 // 3) and entitled_a2 > 0


def test_the_review_sheet_runs_a_fixed_number_of_queries(org, ay, secretary_a1, login):
    client = login(secretary_a1)
    url = OBJECT_URLS["appraisal:village-reviews"](org, ay)
    client.get(url)
    small = count_queries(client, url)
    PartyMemberFactory.create_batch(15, village=org.a1)
    assert count_queries(client, url) == small


# --- branches ------------------------------------------------------------------------------------------------------


def test_township_staff_enter_a_branchs_points_and_see_the_total(org, ay, township_staff, login):
    client = login(township_staff)
    response = client.post(OBJECT_URLS["appraisal:branch-enter"](org, ay), {"township_points": "80", "notes": ""})
    assert response["Location"] == year_url("branches", ay)
    row = BranchAppraisal.objects.get(year=ay, village=org.a1)
    assert row.township_points == D("80")
    expected = scoring.branch_total(D("80"), row.group_points, ay.group_work_weight)
    assert row.total == expected
    bad = client.post(OBJECT_URLS["appraisal:branch-enter"](org, ay), {"township_points": "101", "notes": "x"})
    assert bad.status_code == 200
    assert "township_points" in bad.context["form"].errors


def test_the_branch_table_ranks_the_entered_branches(org, ay, township_staff, login):
    scoring.branch_appraisal_enter(year=ay, village=org.a2, township_points=D("99"), acting_user=township_staff)
    rows = login(township_staff).get(year_url("branches", ay)).context["rows"]
    assert [(r.village, r.rank) for r in rows] == [(org.a2, 1), (org.a1, 2)]


def test_the_branch_table_runs_a_fixed_number_of_queries(org, ay, township_staff, login):
    client = login(township_staff)
    url = year_url("branches", ay)
    client.get(url)
    small = count_queries(client, url)
    for v in grow_township(org.ta, 5):
        scoring.branch_appraisal_enter(year=ay, village=v, township_points=D("75"), acting_user=township_staff)
    assert count_queries(client, url) == small


# --- the workbooks -------------------------------------------------------------------------------------------------


def test_the_downloads_run_a_fixed_number_of_queries(org, ay, township_staff, login):
    client = login(township_staff)
    urls = [year_url("scores-xlsx", ay), year_url("branches-xlsx", ay)]
    for url in urls:
        client.get(url)
    small = [count_queries(client, url) for url in urls]
    for v in grow_township(org.ta, 4):
        scoring.spot_check_record(
            year=ay, party_group=v.party_groups.get(), checked_on=datetime.date(YEAR, 3, 3), checked_by="组织委员",
            by_reading_records=True, findings="台账齐全", rating="good", points=D("90"), acting_user=township_staff,
        )  # fmt: skip
        scoring.branch_appraisal_enter(year=ay, village=v, township_points=D("75"), acting_user=township_staff)
    scoring.scores_compute(year=ay, quarter=2, acting_user=township_staff)
    assert [count_queries(client, url) for url in urls] == small


def test_the_scores_download_is_an_xlsx_attachment_that_is_not_cached(org, ay, township_staff, login):
    response = login(township_staff).get(year_url("scores-xlsx", ay))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('东河乡')}" in disposition
    assert f'filename="appraisal-scores-{YEAR}-' in disposition
    assert "no-store" in response["Cache-Control"].split(", ")


def test_the_scores_workbook_holds_the_ranked_scores_as_numbers(org, ay, township_staff, login):
    response = login(township_staff).get(year_url("scores-xlsx", ay), HTTP_ACCEPT_LANGUAGE="en")
    wb = workbook(response)
    ws = wb.worksheets[0]
    assert [s.title for s in wb.worksheets] == ["Year scores", "Items and evidence", "Spot checks"]
    headers = [ws.cell(3, c).value for c in range(1, 11)]
    assert headers == [
        "Rank", "Village", "Party group", "第一季度", "第二季度", "第三季度", "第四季度",
        "Spot checks (average)", "Spot checks (number)", "Year score",
    ]  # fmt: skip
    assert ws.freeze_panes == "A4"
    assert int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == "$3:$3"
    assert "东河乡" in ws["A1"].value
    table = scoring.group_year_scores(ay, [org.a1_g1.pk])
    rows = {ws.cell(r, 3).value: r for r in range(4, ws.max_row + 1)}
    r = rows["罗紫一二社党小组"]
    assert ws.cell(r, 10).value == pytest.approx(float(table[org.a1_g1.pk]))
    assert isinstance(ws.cell(r, 4).value, int | float)
    assert ws.cell(r, 8).value == 60 and ws.cell(r, 9).value == 1
    assert ws.cell(r, 10).number_format == "0.0"
    assert ws.cell(rows["井阳一二社党小组"], 8).value is None
    q1 = sum(s.points for s in GroupScore.objects.filter(year=ay, party_group=org.a1_g1, quarter=1))
    assert ws.cell(r, 4).value == pytest.approx(float(q1))
    ranks = [ws.cell(rr, 1).value for rr in range(4, ws.max_row + 1)]
    ranks = [v for v in ranks if isinstance(v, int)]  # under the table: the 制表人 / 审核人 line
    assert ranks == sorted(ranks) and ranks[0] == 1
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws["A1"].value.endswith("（草稿）")  # the year is not decided yet
    assert quote("（草稿）.xlsx") in response["Content-Disposition"]


def test_the_evidence_sheet_keeps_every_item_and_formula_looking_text_as_text(org, ay, township_staff, login):
    manual = ay.rubric.get(source=Source.MANUAL)
    scoring.score_enter(
        year=ay, party_group=org.a1_g2, quarter=1, item=manual, points=D("5"), evidence="=HYPERLINK(\"x\")",
        acting_user=township_staff,
    )  # fmt: skip
    odd = PartyGroupFactory(village=org.a2, name="+1组")
    scoring.scores_compute(year=ay, quarter=1, acting_user=township_staff)
    wb = workbook(login(township_staff).get(year_url("scores-xlsx", ay)))
    ws = wb.worksheets[1]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if isinstance(row[2].value, int)]
    assert len(rows) == GroupScore.objects.filter(year=ay).count()
    cell = next(c for row in ws.iter_rows(min_row=4) for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix
    name = next(c for c in wb.worksheets[0]["C"] if c.value == odd.name)
    assert name.data_type == "s"
    checks = wb.worksheets[2]
    assert checks.cell(4, 1).value == datetime.datetime(YEAR, 5, 20)
    assert checks.cell(4, 8).value == 60


def test_the_branch_workbook_holds_the_parts_and_the_total(org, ay, township_staff, login):
    response = login(township_staff).get(year_url("branches-xlsx", ay), HTTP_ACCEPT_LANGUAGE="en")
    assert "no-store" in response["Cache-Control"].split(", ")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    ws = workbook(response).worksheets[0]
    assert ws.cell(3, 1).value == "Rank" and ws.cell(3, 7).value == "Total"
    assert ws.freeze_panes == "A4"
    row = BranchAppraisal.objects.get(year=ay, village=org.a1)
    first = [ws.cell(4, c).value for c in range(1, 8)]
    assert first[:3] == [1, "罗紫村", org.a1.branch_name]
    assert first[3:] == [90, pytest.approx(float(row.group_points)), 30, pytest.approx(float(row.total))]
    assert ws.cell(5, 2).value == "井阳村" and ws.cell(5, 7).value is None


# --- the admin -----------------------------------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:appraisal_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def b_year(org, township_b_staff):
    """Township B's year, with a score, a spot check, a branch row and a reopening of its own."""
    year = scoring.appraisal_year_open(township=org.tb, year=YEAR, acting_user=township_b_staff)
    scoring.scores_compute(year=year, quarter=1, acting_user=township_b_staff)
    scoring.spot_check_record(
        year=year, party_group=org.b1_g1, checked_on=datetime.date(YEAR, 4, 1), checked_by="白石检查组",
        by_visit=True, findings="白石台账", rating="good", points=D("88"), acting_user=township_b_staff,
    )  # fmt: skip
    scoring.branch_appraisal_enter(year=year, village=org.b1, township_points=D("70"), acting_user=township_b_staff)
    YearReopening.objects.create(year=year, reason="白石复核", reopened_by=township_b_staff)
    return year


@pytest.mark.parametrize("model", [AppraisalYear, GroupScore, SpotCheck, BranchAppraisal, YearReopening])
def test_the_admin_lists_only_the_staff_members_township(model, org, ay, b_year, township_staff, login):
    YearReopening.objects.create(year=ay, reason="罗紫村复核", reopened_by=township_staff)
    response = login(township_staff).get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
    page = text(response)
    for foreign in (*TOWNSHIP_B_NAMES, "白石检查组", "白石复核"):
        assert foreign not in page, foreign


def test_scores_checks_and_branch_rows_are_only_read_in_the_admin(org, ay, township_staff, login):
    client = login(township_staff)
    score = GroupScore.objects.filter(year=ay).first()
    for model, obj in ((GroupScore, score), (SpotCheck, ay.check), (BranchAppraisal, ay.branch_appraisals.get())):
        assert client.get(admin_url(model, "add")).status_code == 403
        response = client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200
        assert not response.context["has_change_permission"]


def test_a_decided_years_rules_and_rubric_cannot_be_changed_in_the_admin(org, ay, township_staff, login):
    client = login(township_staff)
    url = admin_url(AppraisalYear, "change", ay.pk)
    open_page = client.get(url)
    assert "advanced_group_quota" in open_page.context["adminform"].form.fields
    AppraisalYear.objects.filter(pk=ay.pk).update(state=AppraisalYear.State.DECIDED)
    response = client.get(url)
    assert "advanced_group_quota" not in response.context["adminform"].form.fields
    assert not any(inline.has_add_permission for inline in response.context["inline_admin_formsets"])
    client.post(url, {"advanced_group_quota": "9"})
    ay.refresh_from_db()
    assert ay.advanced_group_quota == 5


def test_another_townships_year_is_not_found_in_the_admin(org, ay, b_year, township_staff, login):
    client = login(township_staff)
    response = client.get(admin_url(AppraisalYear, "change", b_year.pk))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert client.get(admin_url(AppraisalYear, "history", b_year.pk)).status_code == 404


@pytest.mark.parametrize("model", [GroupScore, SpotCheck, BranchAppraisal, AppraisalYear])
def test_the_admin_changelists_run_a_fixed_number_of_queries(model, org, ay, township_staff, login):
    client = login(township_staff)
    url = admin_url(model, "changelist")
    client.get(url)
    small = count_queries(client, url)
    for v in grow_township(org.ta, 4):
        group = v.party_groups.get()
        scoring.spot_check_record(
            year=ay, party_group=group, checked_on=datetime.date(YEAR, 3, 3), checked_by="组织委员",
            by_reading_records=True, findings="台账齐全", rating="good", points=D("90"), acting_user=township_staff,
        )  # fmt: skip
        scoring.branch_appraisal_enter(year=ay, village=v, township_points=D("75"), acting_user=township_staff)
    scoring.scores_compute(year=ay, quarter=2, acting_user=township_staff)
    scoring.appraisal_year_open(township=org.ta, year=YEAR - 1, acting_user=township_staff)
    assert count_queries(client, url) == small


def test_scores_computed_by_a_command_show_a_dash_for_who(org, ay, township_staff, login):
    """Scores computed outside a request (a command, the demo builder) have no person: the page says 系统, not 500."""
    GroupScore.objects.filter(year=ay).update(entered_by=None)
    response = login(township_staff).get(OBJECT_URLS["appraisal:quarter"](org, ay))
    assert response.status_code == 200
    assert "系统" in text(response)


# --- organisational life as evidence (组织生活) ------------------------------------------------------------------


def test_the_branch_pages_show_the_years_organisational_life_with_a_link(org, ay, township_staff, login):
    from orglife.meetings.models import Kind, Presence
    from orglife.meetings.services import Mark, meeting_record

    meeting_record(
        village=org.a1, kind=Kind.ASSEMBLY, held_on=datetime.date(YEAR, 3, 10), topic="学习党章",
        acting_user=township_staff,
        marks=[Mark(member=m, presence=Presence.PRESENT, reason="") for m in org.a1_g1_members],
    )  # fmt: skip
    client = login(township_staff)
    response = client.get(year_url("branches", ay))
    line = {r.village: r.orglife for r in response.context["rows"]}[org.a1]
    assert line.done == 1 and line.due > 1 and line.missing == line.due - 1
    page = text(response)
    assert f"组织生活：应开{line.due}次，已开1次，缺{line.missing}次" in page
    assert reverse("orglife:village", args=[org.a1.pk, YEAR]) in response.content.decode()
    form = client.get(OBJECT_URLS["appraisal:branch-enter"](org, ay))
    assert f"组织生活：应开{line.due}次，已开1次" in text(form)
