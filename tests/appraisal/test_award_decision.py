"""The decision page: every nomination with its score, rank and evidence; a tie at the quota or a lower-ranked
choice needs a recorded reason (refused beside the field when empty); one person named excellent leader and
excellent member is warned about (or refused, by the township's setting); two people deciding at once: the second
sees what the first decided; every decision keeps every award before and after it."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from appraisal.awards.services import award_decide, award_nominate, decision_review, year_start_nominating
from appraisal.models import AppraisalYear, Award, DecisionRecord
from tests.appraisal.test_awards import GROUP, LEADER, MEMBER, grade, make_year, set_score

Status = Award.Status


@pytest.fixture
def year(org, township_staff):
    """东河乡 2024 taking nominations, one advanced group allowed: 罗紫一二社 92, 静阳 85, 罗紫三四社 70."""
    y = make_year(org.ta, 2024, advanced_group_quota=1)
    set_score(y, org.a1_g1, 92)
    set_score(y, org.a1_g2, 70)
    set_score(y, org.a2_g1, 85)
    for m in org.a1_g1_members[:2]:
        grade(m, 2024)
    year_start_nominating(year=y, acting_user=township_staff)
    y.refresh_from_db()
    y.groups = {
        g: award_nominate(year=y, kind=GROUP, party_group=g, reason="成效明显", acting_user=township_staff)
        for g in (org.a1_g1, org.a1_g2, org.a2_g1)
    }
    return y


def decide_url(y) -> str:
    return reverse("awards:decide", args=[y.pk])


def test_the_page_shows_each_nominations_score_rank_and_evidence(client, org, year, township_staff):
    client.force_login(township_staff)
    page = client.get(decide_url(year)).content.decode()
    assert "92.0" in page and "85.0" in page and "70.0" in page
    assert reverse("appraisal:group", args=[year.pk, org.a1_g1.pk]) in page and "查看依据" in page
    assert 'class="num c-rank">1<' in page and 'class="num c-rank">2<' in page


def test_a_lower_ranked_choice_needs_a_reason_beside_the_field_and_it_is_printed(client, org, year, township_staff):
    lower = year.groups[org.a2_g1]
    client.force_login(township_staff)
    response = client.post(decide_url(year), {"advanced_group": [lower.pk], f"reason_{lower.pk}": "  ", "version": 0})
    page = response.content.decode()
    assert response.status_code == 200 and "ranks below" not in page  # in Chinese
    field = page.split(f'name="reason_{lower.pk}"')[0].rsplit('<td class="reason-cell">', 1)[1]
    assert "errorlist" in field and "罗紫一二社党小组" in field
    assert not Award.objects.filter(status=Status.DECIDED).exists()

    reason = "静阳一二社本年调处山林纠纷3起，群众评议第一"
    client.post(decide_url(year), {"advanced_group": [lower.pk], f"reason_{lower.pk}": reason, "version": 0})
    lower.refresh_from_db()
    assert lower.status == Status.DECIDED and lower.decision_reason == reason
    assert reason in client.get(reverse("awards:year", args=[year.pk])).content.decode()
    wb = load_workbook(BytesIO(client.get(reverse("reports:award-report", args=[year.pk])).content))
    cells = " ".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value)
    assert reason in cells


def test_a_tie_at_the_quota_is_flagged_and_needs_a_tie_break_reason(client, org, year, township_staff):
    set_score(year, org.a2_g1, 92)  # now level with 罗紫一二社 for the one place
    first = year.groups[org.a1_g1]
    review = decision_review(year, list(Award.objects.filter(year=year)), {first.pk})
    assert review.ties[GROUP] == {first.pk, year.groups[org.a2_g1].pk}
    client.force_login(township_staff)
    assert "并列" in client.get(decide_url(year)).content.decode()
    response = client.post(decide_url(year), {"advanced_group": [first.pk], f"reason_{first.pk}": " ", "version": 0})
    field = response.content.decode().split(f'name="reason_{first.pk}"')[0].rsplit('<td class="reason-cell">', 1)[1]
    assert response.status_code == 200 and "errorlist" in field and "得分相同" in field  # in Chinese, beside the box
    assert not Award.objects.filter(status=Status.DECIDED).exists()
    with pytest.raises(ValidationError) as e:
        award_decide(year=year, awards=[first], reasons={}, acting_user=township_staff)
    assert f"reason_{first.pk}" in e.value.error_dict
    award_decide(year=year, awards=[first], reasons={first.pk: "抽查得分更高"}, acting_user=township_staff)
    first.refresh_from_db()
    assert first.status == Status.DECIDED and first.decision_reason == "抽查得分更高"


def test_every_caller_of_the_decision_service_must_give_the_reasons_not_only_the_page(org, year, township_staff):
    lower = year.groups[org.a2_g1]  # 85, chosen over 罗紫一二社 (92)
    for reasons in (None, {}, {lower.pk: "   "}):  # a command or script that passes none, or a blank one
        with pytest.raises(ValidationError) as e:
            award_decide(year=year, awards=[lower], reasons=reasons, acting_user=township_staff)
        assert list(e.value.error_dict) == [f"reason_{lower.pk}"]
        assert e.value.error_dict[f"reason_{lower.pk}"][0].code == "reason"
    with pytest.raises(ValidationError):
        award_decide(year=year, awards=[lower], acting_user=None)  # the system itself is held to it too
    assert not Award.objects.filter(status=Status.DECIDED).exists() and not DecisionRecord.objects.exists()
    award_decide(year=year, awards=[lower], reasons={lower.pk: "群众评议第一"}, acting_user=township_staff)
    lower.refresh_from_db()
    assert lower.status == Status.DECIDED and lower.decision_reason == "群众评议第一"
    assert DecisionRecord.objects.get().decided_by == township_staff


def test_one_person_as_excellent_leader_and_member_is_warned_or_refused_by_the_setting(org, year, township_staff):
    leader = org.a1_g1_members[0]  # leads 罗紫一二社党小组 and is graded 优秀
    both = [
        award_nominate(year=year, kind=LEADER, member=leader, reason="带头", acting_user=township_staff),
        award_nominate(year=year, kind=MEMBER, member=leader, reason="优秀", acting_user=township_staff),
    ]
    award_decide(year=year, awards=both, reasons={}, acting_user=township_staff)
    record = DecisionRecord.objects.filter(year=year).first()
    assert any(leader.name in w and "优秀党员" in w for w in record.warnings)
    assert Award.objects.filter(member=leader, status=Status.DECIDED).count() == 2

    org.ta.leader_and_member_award_same_year = False
    org.ta.save()
    year.refresh_from_db()
    award_decide(year=year, awards=[], acting_user=township_staff)
    with pytest.raises(ValidationError) as e:
        award_decide(year=year, awards=both, reasons={}, acting_user=township_staff)
    assert MEMBER in e.value.error_dict
    assert not Award.objects.filter(member=leader, status=Status.DECIDED).exists()


def test_two_people_deciding_at_once_the_second_sees_what_was_decided(client, org, year, township_staff):
    best, other = year.groups[org.a1_g1], year.groups[org.a2_g1]
    client.force_login(township_staff)
    version = client.get(decide_url(year)).context["form"]["version"].value()
    client.post(decide_url(year), {"advanced_group": [best.pk], "version": version})
    late = client.post(
        decide_url(year), {"advanced_group": [other.pk], f"reason_{other.pk}": "我的选择", "version": version},
        follow=True,
    )  # fmt: skip
    page = late.content.decode()
    assert "after you opened the page" not in page and "打开页面后" in page
    assert f'value="{best.pk}" checked' in page
    assert list(Award.objects.filter(status=Status.DECIDED)) == [best]


def test_re_deciding_writes_history_with_the_before_and_after_of_every_award(org, year, township_staff):
    best, other = year.groups[org.a1_g1], year.groups[org.a2_g1]
    award_decide(year=year, awards=[best], reasons={}, acting_user=township_staff)
    award_decide(year=year, awards=[other], reasons={other.pk: "重新评定"}, acting_user=township_staff)
    first, second = DecisionRecord.objects.filter(year=year).order_by("pk")
    assert first.before == [] and [r["who"] for r in first.after] == ["罗紫一二社党小组"]
    assert second.before == first.after and [r["who"] for r in second.after] == [other.party_group.name]
    assert second.after[0]["reason"] == "重新评定" and second.decided_by == township_staff
    assert AppraisalYear.objects.get(pk=year.pk).decision_version == 2


def test_every_page_of_an_undecided_years_awards_says_draft_until_it_is_decided(client, org, year, township_staff):
    from appraisal.awards.services import year_decide

    client.force_login(township_staff)
    names = ["awards:year", "awards:decide", "awards:lock", "awards:reserve", "awards:review"]
    for name in names:
        page = client.get(reverse(name, args=[year.pk])).content.decode()
        title = page.split("<title>")[1].split("</title>")[0]
        assert "草稿" in title and 'class="draft-mark"' in page, name
    best = year.groups[org.a1_g1]
    award_decide(year=year, awards=[best], acting_user=township_staff)
    year_decide(year=year, acting_user=township_staff)
    for name in names:
        page = client.get(reverse(name, args=[year.pk])).content.decode()
        assert "草稿" not in page.split("<title>")[1].split("</title>")[0] and "draft-mark" not in page, name


def test_a_decided_years_decision_page_offers_nothing_to_tick_or_type(client, org, year, township_staff):
    from appraisal.awards.services import year_decide

    best = year.groups[org.a1_g1]
    award_decide(year=year, awards=[best], acting_user=township_staff)
    client.force_login(township_staff)
    assert "disabled" not in client.get(decide_url(year)).content.decode().split("<form", 2)[2]
    year_decide(year=year, acting_user=township_staff)
    page = client.get(decide_url(year)).content.decode()
    fieldsets = page.count("<fieldset")
    assert fieldsets == 4 and page.count("<fieldset") == page.count(" disabled>")  # three kinds and the 公示 dates
    assert f'value="{best.pk}" checked' in page and 'type="submit">保存' not in page
