"""The award pages (/awards/): what each person sees and may do, forms that answer next to the field, the scoping
matrix (another village's secretary and another township's staff 404, the county 403 on writes, nothing written),
and query counts that do not grow with the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from appraisal.awards.services import (
    award_decide,
    award_nominate,
    recommend_to_county,
    year_decide,
    year_start_nominating,
)
from appraisal.models import AppraisalYear, Award, GroupScore, ReserveCandidate, RubricItem, YearReopening
from members.models import AnnualReview
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import UserFactory, assign, grow_township
from tests.members.test_numbers_left_unread import decrypted  # noqa: F401 (a fixture)
from township.models import Assignment

Kind, Status, State = Award.Kind, Award.Status, AppraisalYear.State
A1_NAMES = ("罗紫一二社党小组", "罗紫三四社党小组", "罗紫党员1")


def text(response) -> str:
    return response.content.decode()


def set_score(year, group, percent) -> None:
    item, _ = RubricItem.objects.get_or_create(year=year, name="工作实绩", defaults={"max_points": Decimal("25")})
    for q in range(1, 5):
        GroupScore.objects.update_or_create(
            year=year, party_group=group, quarter=q, item=item, defaults={"points": Decimal(percent) / 4}
        )


def snapshot():
    return (
        sorted(Award.objects.values_list("pk", "kind", "status", "amount", "reason")),
        sorted(ReserveCandidate.objects.values_list("pk", "list", "member_id", "reason")),
        sorted(AppraisalYear.objects.values_list("pk", "state", "publicity_starts_on")),
        YearReopening.objects.count(),
    )


@pytest.fixture
def year(org, township_staff, secretary_a1):
    return nominating_year(org, township_staff, secretary_a1)


def nominating_year(org, township_staff, secretary_a1) -> AppraisalYear:
    """东河乡 2025 taking nominations, with 罗紫村's 一二社 group nominated by its secretary (A1's own award)."""
    y = AppraisalYear.objects.create(township=org.ta, year=2025)
    set_score(y, org.a1_g1, 91)
    set_score(y, org.a1_g2, 84)
    set_score(y, org.a2_g1, 88)
    for m in (org.a1_g1_members[0], org.a1_g2_members[0], org.a2_members[1]):
        AnnualReview.objects.create(member=m, year=2025, grade=AnnualReview.Grade.EXCELLENT)
    year_start_nominating(year=y, acting_user=township_staff)
    y.refresh_from_db()
    y.a1_award = award_nominate(
        year=y, kind=Kind.ADVANCED_GROUP, party_group=org.a1_g1, reason="罗紫机耕道维修", acting_user=secretary_a1
    )
    return y


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="zuzhang")
    assign(user, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


def year_urls(y):
    """Every award URL about township A's year, with the method that changes something."""
    return {
        "awards:year": reverse("awards:year", args=[y.pk]),
        "awards:nominate": reverse("awards:nominate", args=[y.pk])
        + f"?kind=advanced_group&target={y.a1_award.party_group_id}",
        "awards:start-nominating": reverse("awards:start-nominating", args=[y.pk]),
        "awards:decide": reverse("awards:decide", args=[y.pk]),
        "awards:lock": reverse("awards:lock", args=[y.pk]),
        "awards:reopen": reverse("awards:reopen", args=[y.pk]),
        "awards:reserve": reverse("awards:reserve", args=[y.pk]),
        "awards:recommend": reverse("awards:recommend", args=[y.pk]),
        "awards:withdraw": reverse("awards:withdraw", args=[y.a1_award.pk]),
    }


WRITE_PAYLOAD = {
    "kind": "advanced_group",
    "target": "0",
    "reason": "越权修改",
    "advanced_group": "0",
    "member": "0",
    "publicity_starts_on": "2026-01-05",
}


# --- what each person sees --------------------------------------------------------------------------------------


def test_the_township_sees_the_ranked_candidates_with_their_evidence(org, year, township_staff, login):
    with translation.override("en"):
        page = text(login(township_staff).get(reverse("awards:year", args=[year.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert page.index("罗紫一二社党小组") < page.index("井阳一二社党小组")
    assert "91.0" in page and "regular appraisal 91.0 of 100.0 points (91.0%)" in page
    assert "罗紫机耕道维修" in page and "Decide the awards" in page and "decided 0 of 5 · nominated 1" in page
    assert not any(name in page for name in TOWNSHIP_B_NAMES)


def test_each_kind_lists_its_candidates(org, year, township_staff, login):
    client = login(township_staff)
    leaders = text(client.get(reverse("awards:year", args=[year.pk]), {"kind": "excellent_leader"}))
    assert "罗紫党员1" in leaders and "井阳党员1" in leaders
    members = text(client.get(reverse("awards:year", args=[year.pk]), {"kind": "excellent_member", "q": "井阳"}))
    assert "井阳党员2" in members and "罗紫党员6" not in members


def test_the_leaders_ranking_shows_them_by_name_and_decrypts_no_numbers(
    org, year, township_staff, login, decrypted  # noqa: F811
):
    leaders = text(login(township_staff).get(reverse("awards:year", args=[year.pk]), {"kind": "excellent_leader"}))
    assert "罗紫党员1" in leaders
    assert decrypted == []


def test_a_secretary_sees_only_their_own_village(org, year, secretary_a2, login):
    client = login(secretary_a2)
    for kind in ("advanced_group", "excellent_leader", "excellent_member"):
        response = client.get(reverse("awards:year", args=[year.pk]), {"kind": kind})
        assert response.status_code == 200
        assert not any(name in text(response) for name in A1_NAMES)
    assert "井阳一二社党小组" in text(client.get(reverse("awards:year", args=[year.pk])))
    for name in ("awards:reserve", "awards:index", "awards:county"):
        url = reverse(name, args=[year.pk]) if name == "awards:reserve" else reverse(name)
        assert client.get(url).status_code == 200


# --- the scoping matrix -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["township_b_staff", "group_leader"])
def test_another_townships_staff_and_a_group_leader_get_404_and_change_nothing(org, year, persona, request, login):
    client = login(request.getfixturevalue(persona))
    before = snapshot()
    for name, url in year_urls(year).items():
        get = client.get(url)
        assert get.status_code in (404, 405), f"GET {name} answered {get.status_code}"
        assert not any(s in text(get) for s in A1_NAMES)
        assert client.post(url, WRITE_PAYLOAD).status_code == 404, name
    assert snapshot() == before


def test_another_villages_secretary_gets_404_on_its_objects_and_403_on_township_steps(org, year, secretary_a2, login):
    client = login(secretary_a2)
    before = snapshot()
    urls = year_urls(year)
    # the A1 nomination and the A1 group as a nominee: 404, like a missing object
    assert client.post(urls["awards:withdraw"]).status_code == 404
    nominate = reverse("awards:nominate", args=[year.pk])
    target = {"kind": "advanced_group", "target": org.a1_g1.pk}
    assert client.get(nominate, target).status_code == 404
    assert client.post(nominate, {**target, "reason": "越权"}).status_code == 404
    # the township's steps: inside the year's reach, not the secretary's to take
    for name in ("awards:start-nominating", "awards:decide", "awards:lock", "awards:reopen", "awards:recommend"):
        assert client.post(urls[name], WRITE_PAYLOAD).status_code == 403, name
    assert client.get(urls["awards:decide"]).status_code == 403
    assert snapshot() == before


def test_the_county_reads_and_gets_403_on_every_write(org, year, county_viewer, login):
    client = login(county_viewer)
    urls = year_urls(year)
    assert "罗紫一二社党小组" in text(client.get(urls["awards:year"]))
    assert client.get(urls["awards:reserve"]).status_code == 200
    assert "Withdraw" not in text(client.get(urls["awards:year"]))
    before = snapshot()
    for name, url in urls.items():
        if name in ("awards:year", "awards:reserve"):
            continue
        assert client.post(url, WRITE_PAYLOAD).status_code == 403, name
    assert snapshot() == before


# --- nominating -------------------------------------------------------------------------------------------------


def test_a_secretary_nominates_from_the_page_with_the_evidence_filled_in(org, year, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("awards:nominate", args=[year.pk])
    target = {"kind": "excellent_member", "target": org.a1_g2_members[0].pk}
    form = client.get(url, target)
    assert form.status_code == 200
    assert "2025" in form.context["form"].initial["reason"]
    response = client.post(url, {**target, "reason": "带头调解纠纷，群众公认"})
    assert response.status_code == 302
    award = Award.objects.get(kind=Kind.EXCELLENT_MEMBER)
    assert (award.member, award.nominated_by, award.reason) == (
        org.a1_g2_members[0],
        secretary_a1,
        "带头调解纠纷，群众公认",
    )


def test_a_nomination_without_a_reason_is_answered_next_to_the_field(org, year, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("awards:nominate", args=[year.pk]),
        {"kind": "excellent_leader", "target": org.a1_g1_members[0].pk, "reason": ""},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert snapshot() == before


def test_a_second_nomination_is_refused_in_words_and_kept(org, year, township_staff, login):
    response = login(township_staff).post(
        reverse("awards:nominate", args=[year.pk]),
        {"kind": "advanced_group", "target": org.a1_g1.pk, "reason": "第二次提名"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "第二次提名" in text(response)
    assert Award.objects.count() == 1


def test_a_secretary_withdraws_their_nomination(org, year, secretary_a1, login):
    response = login(secretary_a1).post(reverse("awards:withdraw", args=[year.a1_award.pk]))
    assert response.status_code == 302
    assert not Award.objects.exists()


def test_withdrawing_a_nomination_asks_first_on_its_own_page(org, year, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("awards:withdraw", args=[year.a1_award.pk])
    assert url in client.get(reverse("awards:year", args=[year.pk])).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "撤回这项提名吗" in page.content.decode()
    assert Award.objects.filter(pk=year.a1_award.pk).exists()


# --- the township's decision ------------------------------------------------------------------------------------


def nominate_groups(year, user, org):
    return [year.a1_award] + [
        award_nominate(year=year, kind=Kind.ADVANCED_GROUP, party_group=g, reason="先进", acting_user=user)
        for g in (org.a1_g2, org.a2_g1)
    ]


def test_the_decision_page_shows_the_quota_and_refuses_one_more(org, year, township_staff, login):
    awards = nominate_groups(year, township_staff, org)
    year.advanced_group_quota = 2
    year.save()
    client = login(township_staff)
    url = reverse("awards:decide", args=[year.pk])
    with translation.override("en"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert "Quota 2 · decided now 0" in text(page)
    before = snapshot()
    response = client.post(url, {"advanced_group": [a.pk for a in awards], "publicity_starts_on": "2026-01-05"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["advanced_group"]
    assert response.context["form"].errors.as_data()["advanced_group"][0].code == "quota"
    assert f'value="{awards[2].pk}" checked' in text(response)  # what was ticked is kept
    assert snapshot() == before

    response = client.post(
        url,
        {
            "advanced_group": [awards[0].pk, awards[2].pk],
            "publicity_starts_on": "2026-01-05",
            "publicity_ends_on": "2026-01-11",
        },
    )
    assert response.status_code == 302
    assert sorted(Award.objects.filter(status=Status.DECIDED).values_list("pk", "amount")) == [
        (awards[0].pk, Decimal("200.00")),
        (awards[2].pk, Decimal("200.00")),
    ]
    year.refresh_from_db()
    assert year.publicity_ends_on == datetime.date(2026, 1, 11)


def test_publicity_dates_in_the_wrong_order_are_answered_next_to_the_field(org, year, township_staff, login):
    response = login(township_staff).post(
        reverse("awards:decide", args=[year.pk]),
        {"publicity_starts_on": "2026-01-11", "publicity_ends_on": "2026-01-05"},
    )
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["publicity_ends_on"]


def test_the_lock_page_confirms_then_decides_and_locks(org, year, township_staff, login):
    client = login(township_staff)
    award_decide(year=year, awards=[year.a1_award], acting_user=township_staff)
    url = reverse("awards:lock", args=[year.pk])
    with translation.override("en"):
        assert "Yes, decide and lock the year" in text(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert client.post(url).status_code == 302
    year.refresh_from_db()
    assert year.state == State.DECIDED and year.decided_by == township_staff
    with translation.override("en"):
        page = text(client.get(reverse("awards:year", args=[year.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Reopen the year" in page and "Decide the awards" not in page


def test_the_lock_page_shows_the_coming_streak_bonus(org, year, township_staff, login):
    leader = org.a1_g1_members[0]
    for y in (2023, 2024):
        past = AppraisalYear.objects.create(township=org.ta, year=y, state=State.NOMINATING)
        Award.objects.create(
            year=past, kind=Kind.EXCELLENT_LEADER, status=Status.DECIDED, village=org.a1, member=leader, amount=100
        )
        AppraisalYear.objects.filter(pk=past.pk).update(state=State.DECIDED)
    award = award_nominate(year=year, kind=Kind.EXCELLENT_LEADER, member=leader, reason="带头", acting_user=None)
    award_decide(year=year, awards=[award], acting_user=township_staff)
    page = text(login(township_staff).get(reverse("awards:lock", args=[year.pk])))
    assert "2023—2025年连续3年被评为优秀党小组长" in page


def test_reopening_needs_a_reason_next_to_the_field(org, year, township_staff, login):
    year_decide(year=year, acting_user=township_staff)
    client = login(township_staff)
    url = reverse("awards:reopen", args=[year.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["reason"]
    assert client.post(url, {"reason": "补报材料"}).status_code == 302
    year.refresh_from_db()
    assert year.state == State.NOMINATING
    assert YearReopening.objects.get().reopened_by == township_staff


# --- the reserve lists and the county ---------------------------------------------------------------------------


def test_the_township_recommends_and_the_county_sees_it(org, year, township_staff, county_viewer, secretary_a2, login):
    member = org.a1_g1_members[0]
    award = award_nominate(year=year, kind=Kind.EXCELLENT_MEMBER, member=member, reason="优秀", acting_user=None)
    award_decide(year=year, awards=[award], acting_user=township_staff)
    client = login(township_staff)
    form = client.get(reverse("awards:recommend", args=[year.pk]))
    assert list(form.context["form"].fields["member"].queryset) == [member]
    response = client.post(
        reverse("awards:recommend", args=[year.pk]), {"member": member.pk, "reason": "群众公认，可作后备干部"}
    )
    assert response.status_code == 302
    assert "群众公认，可作后备干部" in text(client.get(reverse("awards:reserve", args=[year.pk])))
    county_page = text(login(county_viewer).get(reverse("awards:county")))
    assert "罗紫党员1" in county_page and "群众公认，可作后备干部" in county_page and "东河乡" in county_page
    assert "罗紫党员1" not in text(login(secretary_a2).get(reverse("awards:county")))


def test_a_member_outside_the_choices_is_refused_next_to_the_field(org, year, township_staff, login):
    response = login(township_staff).post(
        reverse("awards:recommend", args=[year.pk]), {"member": org.a1_loose.pk, "reason": "推荐"}
    )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["member"]
    assert not ReserveCandidate.objects.exists()


def test_the_county_page_shows_only_the_persons_reach(org, year, township_staff, township_b_staff, login):
    member = org.a1_g1_members[0]
    award = award_nominate(year=year, kind=Kind.EXCELLENT_MEMBER, member=member, reason="优秀", acting_user=None)
    award_decide(year=year, awards=[award], acting_user=township_staff)
    recommend_to_county(year=year, member=member, reason="推荐到县", acting_user=township_staff)
    assert "推荐到县" not in text(login(township_b_staff).get(reverse("awards:county")))
    assert "推荐到县" in text(login(township_staff).get(reverse("awards:county")))


# --- query counts -----------------------------------------------------------------------------------------------


def grow(org, year, n):
    villages = grow_township(org.ta, n, prefix=f"扩{n}")
    for v in villages:
        for g in v.party_groups.all():
            set_score(year, g, 86)
        members = list(v.members.all())
        for m in members[:2]:
            AnnualReview.objects.create(member=m, year=2025, grade=AnnualReview.Grade.EXCELLENT)
        award_nominate(year=year, kind=Kind.EXCELLENT_MEMBER, member=members[0], reason="优秀", acting_user=None)


@pytest.mark.parametrize("kept", [False, True], ids=["counted", "kept"])
@pytest.mark.parametrize("persona", ["township_staff", "secretary_a1", "county_viewer"])
def test_the_candidates_page_runs_a_fixed_number_of_queries(org, year, persona, kept, request, login, settings):
    """Counted afresh and kept (the ranking kept until the villages' data changes: the second visit)."""
    settings.VILLAGE_FIGURES_KEPT = kept
    client = login(request.getfixturevalue(persona))

    def counts():
        out = []
        for kind in ("advanced_group", "excellent_leader", "excellent_member"):
            client.get(reverse("awards:year", args=[year.pk]), {"kind": kind})
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("awards:year", args=[year.pk]), {"kind": kind}).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    grow(org, year, 5)
    assert counts() == before
    assert max(before) <= (11 if kept else 20)


def test_the_other_pages_run_a_fixed_number_of_queries(org, year, township_staff, login):
    client = login(township_staff)
    leader = award_nominate(
        year=year, kind=Kind.EXCELLENT_LEADER, member=org.a1_g1_members[0], reason="带头", acting_user=None
    )
    award_decide(year=year, awards=[leader], acting_user=township_staff)
    recommend_to_county(year=year, member=leader.member, reason="推荐", acting_user=township_staff)
    urls = [
        reverse("awards:decide", args=[year.pk]),
        reverse("awards:lock", args=[year.pk]),
        reverse("awards:reserve", args=[year.pk]),
        reverse("awards:recommend", args=[year.pk]),
        reverse("awards:county"),
        reverse("awards:index"),
    ]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    before = counts()
    grow(org, year, 4)
    members = list(Award.objects.filter(kind=Kind.EXCELLENT_MEMBER))
    award_decide(year=year, awards=[leader, *members], acting_user=township_staff)
    for award in members:
        recommend_to_county(year=year, member=award.member, reason="推荐", acting_user=township_staff)
    assert counts() == before
