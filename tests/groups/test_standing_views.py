"""The standing pages: members working away (rules, contact log), 不合格 handling, the township's overview and its
Excel list; errors beside their fields; query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core import clock
from core.words import day_cn
from groups.standing.services import handling_follow_up, handling_record
from members.away import rules
from members.away.models import AwayContact, AwaySpell
from members.away.services import away_record, contact_record
from members.models import AnnualReview, PartyMember
from members.standing.models import ReviewHandling, StandingChange

pytestmark = pytest.mark.django_db
TODAY = clock.today()
DAY = datetime.timedelta(days=1)


def away(member, user, *, city="成都市", days=30, fixed=False, **kw):
    return away_record(
        member=member,
        province=kw.pop("province", "四川省"),
        city=city,
        workplace=kw.pop("workplace", "建筑工地"),
        fixed_workplace=fixed,
        since=TODAY - days * DAY,
        phone="13812345678",
        acting_user=user,
        **kw,
    )


# --- the rules -------------------------------------------------------------------------------------------------


def test_away_more_than_six_months_with_a_fixed_workplace_is_suggested_for_transfer():
    since = datetime.date(2026, 12, 15)
    assert not rules.transfer_suggested(since=since, fixed_workplace=True, today=datetime.date(2027, 6, 15))
    assert rules.transfer_suggested(since=since, fixed_workplace=True, today=datetime.date(2027, 6, 16))
    assert not rules.transfer_suggested(since=since, fixed_workplace=False, today=datetime.date(2028, 1, 1))


def test_six_months_without_contact_flags_lost():
    since, last = datetime.date(2026, 1, 10), datetime.date(2026, 12, 31)
    assert rules.lost_contact(since=since, last_contact=None, today=datetime.date(2026, 7, 10))
    assert not rules.lost_contact(since=since, last_contact=last, today=datetime.date(2027, 6, 29))
    assert rules.lost_contact(since=since, last_contact=last, today=datetime.date(2027, 6, 30))  # 31 Dec + 6 months


def test_the_rules_are_shown_with_their_sources(org, secretary_a1, login):
    spell = away(org.a1_loose, secretary_a1, days=200, fixed=True)
    page = login(secretary_a1).get(reverse("standing:contact", args=[spell.pk])).content.decode()
    assert rules.TRANSFER.says in page and rules.TRANSFER.source in page
    assert rules.LOST.says in page and rules.LOST.source in page
    contact_record(spell=spell, on=TODAY - DAY, how="phone", what="了解务工情况", acting_user=secretary_a1)
    page = login(secretary_a1).get(reverse("standing:contact", args=[spell.pk])).content.decode()
    assert rules.LOST.says not in page and "了解务工情况" in page


# --- away and the contact log ----------------------------------------------------------------------------------


def test_the_phone_is_kept_encrypted_and_shown_masked(org, secretary_a1, login):
    spell = away(org.a1_loose, secretary_a1)
    assert spell.phone_masked == "138****5678"
    page = login(secretary_a1).get(reverse("standing:village", args=[org.a1.pk])).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_a_contact_log_for_another_branchs_member_is_refused(org, secretary_a1, secretary_a2, login):
    spell = away(org.a1_loose, secretary_a1)
    with pytest.raises(PermissionDenied):
        contact_record(spell=spell, on=TODAY, how="phone", what="越权", acting_user=secretary_a2)
    response = login(secretary_a2).post(
        reverse("standing:contact", args=[spell.pk]), {"on": TODAY.isoformat(), "how": "phone", "what": "越权"}
    )
    assert response.status_code == 404
    assert not AwayContact.objects.exists()


def test_a_contact_is_logged_and_a_bad_one_answered_beside_its_field(org, secretary_a1, login):
    spell = away(org.a1_loose, secretary_a1, days=10)
    client = login(secretary_a1)
    url = reverse("standing:contact", args=[spell.pk])
    bad = client.post(url, {"on": (TODAY - 20 * DAY).isoformat(), "how": "wechat", "what": "传达主题党日内容"})
    assert bad.status_code == 400
    assert "不能早于外出日期" in str(bad.context["form"].errors["on"])
    assert "传达主题党日内容" in bad.content.decode()  # nothing typed is lost
    ok = client.post(url, {"on": TODAY.isoformat(), "how": "wechat", "what": "传达主题党日内容"})
    assert ok.status_code == 302
    assert AwayContact.objects.get().recorded_by == secretary_a1


def test_one_open_spell_away_per_member(org, secretary_a1):
    away(org.a1_loose, secretary_a1)
    with pytest.raises(ValidationError) as exc:
        away(org.a1_loose, secretary_a1, city="广州市")
    assert "未返回" in str(exc.value)


def test_the_contact_person_is_a_member_of_the_same_branch(org, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        away(org.a1_loose, secretary_a1, contact_person=org.a2_members[0])
    assert "contact_person" in exc.value.message_dict


def test_away_is_recorded_from_the_member_page(org, secretary_a1, login):
    m = org.a1_g1_members[2]
    client = login(secretary_a1)
    data = {
        "province": "广东省",
        "city": "广州市",
        "workplace": "白云区某电子厂",
        "fixed_workplace": "on",
        "since": (TODAY - 40 * DAY).isoformat(),
        "phone": "139 0000 2222",
        "contact_person": org.a1_g1_members[0].pk,
    }
    assert client.post(reverse("standing:away-new", args=[m.pk]), data).status_code == 302
    spell = AwaySpell.objects.get(member=m)
    assert spell.phone == "13900002222" and spell.contact_person == org.a1_g1_members[0]
    back = client.post(reverse("standing:away-return", args=[spell.pk]), {"returned_on": TODAY.isoformat()})
    assert back.status_code == 302
    spell.refresh_from_db()
    assert spell.returned_on == TODAY


# --- 不合格 after 民主评议 ----------------------------------------------------------------------------------------


@pytest.fixture
def unqualified(org):
    return AnnualReview.objects.create(member=org.a1_g2_members[1], year=TODAY.year - 1, grade="unqualified")


def test_correction_has_a_deadline_of_at_most_a_year(unqualified, secretary_a1):
    with pytest.raises(ValidationError) as exc:
        handling_record(
            review=unqualified,
            measure="correct",
            decided_on=TODAY,
            deadline=TODAY + 400 * DAY,
            acting_user=secretary_a1,
        )
    assert "最长一年" in exc.value.message_dict["deadline"][0]
    with pytest.raises(ValidationError):
        handling_record(review=unqualified, measure="correct", decided_on=TODAY, acting_user=secretary_a1)
    h = handling_record(
        review=unqualified,
        measure="correct",
        decided_on=TODAY - 100 * DAY,
        deadline=TODAY + 80 * DAY,
        acting_user=secretary_a1,
    )
    assert h.is_open
    handling_follow_up(
        handling=h, result="corrected", result_on=TODAY, notes="按时参加组织生活", acting_user=secretary_a1
    )
    h.refresh_from_db()
    assert not h.is_open
    with pytest.raises(ValidationError):
        handling_follow_up(handling=h, result="corrected", result_on=TODAY, acting_user=secretary_a1)


def test_persuading_to_leave_ends_standing_in_the_history(unqualified, secretary_a1):
    handling_record(
        review=unqualified,
        measure="persuade",
        decided_on=TODAY - 5 * DAY,
        decision="支部大会决议",
        acting_user=secretary_a1,
    )
    member = PartyMember.objects.get(pk=unqualified.member_id)
    assert member.status == PartyMember.Status.LEFT
    assert StandingChange.objects.get(member=member).kind == StandingChange.Kind.PERSUADED


def test_only_an_unqualified_grade_is_handled(org, secretary_a1):
    review = AnnualReview.objects.create(member=org.a1_g2_members[2], year=TODAY.year - 1, grade="qualified")
    with pytest.raises(ValidationError):
        handling_record(review=review, measure="strike", decided_on=TODAY, decision="决议", acting_user=secretary_a1)


def test_the_township_sees_open_cases_and_their_deadlines(unqualified, org, secretary_a1, township_staff, login):
    other = AnnualReview.objects.create(member=org.a2_members[1], year=TODAY.year - 1, grade="unqualified")
    handling_record(
        review=unqualified,
        measure="correct",
        decided_on=TODAY - 200 * DAY,
        deadline=TODAY - 10 * DAY,
        acting_user=secretary_a1,
    )
    page = login(township_staff).get(reverse("standing:township", args=[org.ta.pk])).content.decode()
    assert unqualified.member.name in page and day_cn(TODAY - 10 * DAY) in page and "已到期" in page
    assert other.member.name in page and "待支部登记处置" in page


def test_the_handling_page_records_a_correction(unqualified, secretary_a1, login):
    url = reverse("standing:handling", args=[unqualified.pk])
    client = login(secretary_a1)
    bad = client.post(url, {"measure": "correct", "decided_on": TODAY.isoformat(), "deadline": ""})
    assert bad.status_code == 400 and "deadline" in bad.context["form"].errors
    data = {"measure": "correct", "decided_on": TODAY.isoformat(), "deadline": (TODAY + 90 * DAY).isoformat()}
    assert client.post(url, data).status_code == 302
    assert ReviewHandling.objects.get().deadline == TODAY + 90 * DAY


# --- the township's list by destination city --------------------------------------------------------------------


@pytest.fixture
def many_away(org, secretary_a1, township_staff):
    def make(n):
        members = [*org.a1_g1_members, *org.a1_g2_members][:n]
        for i, m in enumerate(members):
            away(m, secretary_a1, city=["成都市", "广州市"][i % 2], province=["四川省", "广东省"][i % 2], days=30 + i)

    return make


def test_the_township_list_is_by_city_and_downloads_as_excel(org, many_away, township_staff, login):
    many_away(4)
    client = login(township_staff)
    page = client.get(reverse("standing:township", args=[org.ta.pk])).content.decode()
    assert page.index("四川省成都市") < page.index("广东省广州市") or page.index("广东省广州市") < page.index(
        "四川省成都市"
    )
    response = client.get(reverse("standing:township-away-xlsx", args=[org.ta.pk]))
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c]
    assert "广东省广州市" in cells and "四川省成都市" in cells and "138****5678" in cells
    assert "13812345678" not in cells
    assert ws.print_title_rows  # headers repeat on every printed page


# the most statements a visit runs: counting a page afresh after a change, and reading what it keeps
KEPT = {"counting": 19, "kept": 8, "township-counting": 17, "township": 8}


@pytest.mark.parametrize("name", ["standing:township", "standing:township-away-xlsx"])
def test_township_pages_read_in_a_fixed_number_of_queries(
    name, org, many_away, township_staff, login, django_assert_max_num_queries
):
    client = login(township_staff)
    url = reverse(name, args=[org.ta.pk])
    # the township's page keeps its lists until one of its villages changes: a visit after a change counts afresh
    counting, kept = (KEPT["township-counting"], KEPT["township"]) if name == "standing:township" else (14, 14)
    many_away(2)
    client.get(url)
    with django_assert_max_num_queries(kept):
        client.get(url)
    AwaySpell.objects.all().delete()
    many_away(9)
    with django_assert_max_num_queries(counting):
        client.get(url)
    with django_assert_max_num_queries(kept):
        response = client.get(url)
    if name == "standing:township":
        shown = response.content.decode().count(">四川省成都市</td>")
        assert shown == AwaySpell.objects.filter(city="成都市").count() == 5


@pytest.mark.parametrize("name", ["standing:village", "standing:member"])
def test_branch_pages_read_in_a_fixed_number_of_queries(
    name, org, many_away, secretary_a1, login, django_assert_max_num_queries
):
    client = login(secretary_a1)
    target = org.a1.pk if name == "standing:village" else org.a1_g1_members[0].pk
    url = reverse(name, args=[target])
    # the branch's page keeps its lists until the branch changes: a visit after a change counts them afresh
    counting, kept = (KEPT["counting"], KEPT["kept"]) if name == "standing:village" else (16, 16)
    many_away(2)
    client.get(url)
    with django_assert_max_num_queries(kept):
        client.get(url)
    AwaySpell.objects.all().delete()
    many_away(9)
    for m in PartyMember.objects.filter(village=org.a1)[:3]:
        contact_record(spell=AwaySpell.objects.get(member=m), on=TODAY, how="phone", what="联系", acting_user=None)
    with django_assert_max_num_queries(counting):
        client.get(url)
    with django_assert_max_num_queries(kept):
        page = client.get(url).content.decode()
    if name == "standing:village":
        assert f"流动党员（{AwaySpell.objects.filter(member__village=org.a1).count()}人）" in page



def test_a_county_viewer_reads_but_cannot_record(org, county_viewer, login):
    client = login(county_viewer)
    m = org.a1_g1_members[0]
    page = client.get(reverse("standing:member", args=[m.pk]))
    assert page.status_code == 200 and "<h2>登记党籍变动</h2>" not in page.content.decode()
    assert client.post(reverse("standing:record", args=[m.pk]), {"kind": "died", "on": TODAY}).status_code == 403
    assert not StandingChange.objects.exists()


def test_a_refused_change_is_answered_beside_its_field_with_what_was_typed(org, secretary_a1, login):
    m = org.a1_g1_members[0]
    response = login(secretary_a1).post(
        reverse("standing:record", args=[m.pk]),
        {"kind": "transfer_out", "on": TODAY.isoformat(), "organisation": "中共成都市武侯区某社区委员会"},
    )
    assert response.status_code == 400
    form = response.context["change_form"]
    assert "介绍信编号" in str(form.errors["letter_no"])
    assert "中共成都市武侯区某社区委员会" in response.content.decode()


def test_the_date_field_shows_the_day_the_counts_are_for(org, secretary_a1, login):
    """The field a secretary changes starts at the day counted (a date field reads only 2027-06-15), not empty."""
    client = login(secretary_a1)
    page = client.get(reverse("standing:village", args=[org.a1.pk])).content.decode()
    assert f'value="{TODAY.isoformat()}"' in page and "2027年6月15日" in page
    page = client.get(reverse("standing:village", args=[org.a1.pk]), {"on": "2027-03-01"}).content.decode()
    assert 'value="2027-03-01"' in page and "2027年3月1日" in page
