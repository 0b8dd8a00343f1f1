"""A branch's long pages — its year of meetings, its dues book, its standing page — keep their rendered tables until
the branch's data changes (township.changes.kept_html): a meeting recorded, a payment, a member away or contacted, a
不合格 case handled shows on the next visit; a visit with nothing changed reads none of it; a new day, or a reader
with other rights (the payment links), is rendered afresh. Nothing of the person is in what is kept."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dues.services import assessment_set, payment_record
from groups.standing.services import handling_record
from members.away.models import AwaySpell
from members.away.services import away_record, contact_record
from members.models import AnnualReview, PartyMember
from orglife.meetings.models import Kind
from orglife.meetings.services import Mark, meeting_record
from tests.clock import beijing
from tests.kept import kept_values, reads_when_counted, tables_read
from township import changes
from township.models import VillageChanges

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 6, 15)  # the suite's frozen day


def _meeting(org, user, topic="支部党员大会", day=datetime.date(2027, 6, 10)):
    members = org.a1_g1_members
    return meeting_record(
        village=org.a1, kind=Kind.ASSEMBLY, party_group=None, held_on=day, topic=topic, acting_user=user,
        marks=[Mark(member=m, presence="present", reason="") for m in members],
    )  # fmt: skip


def _away(member, user, **kw):
    return away_record(
        member=member, province="四川省", city=kw.get("city", "成都市"), workplace="建筑工地", fixed_workplace=False,
        since=TODAY - datetime.timedelta(days=30), phone="13812345678", contact_person=None, acting_user=user,
    )  # fmt: skip


def _assess_and_pay(member, amount="40.00"):
    assessment_set(member=member, year=2027, category="employed", base=Decimal("4000"), acting_user=None)
    return payment_record(
        village=member.village, member=member, first_month=datetime.date(2027, 1, 1), months=1,
        amount=Decimal(amount), voluntary=Decimal("0"), paid_on=datetime.date(2027, 6, 10), received_by="谢明德",
        acting_user=None,
    )  # fmt: skip


def _post(vg, amount, **kw):
    from tests.groups.test_fund_export import post

    return post(vg, amount, day=datetime.date(2027, 6, 1), **kw)


def _pages(org):
    return {
        "orglife": reverse("orglife:village", args=[org.a1.pk, 2027]),
        "dues": reverse("dues:book", args=[org.a1.pk, 2027]),
        "standing": reverse("standing:village", args=[org.a1.pk]),
    }


def test_what_the_kept_pages_read_is_every_table_counted(org, secretary_a1, township_staff, login, monkeypatch):
    """A table the kept tables are rendered from and the triggers do not watch would leave the page stale until the
    next day. A ledger's page is kept under the day's work too (its entries and decisions)."""
    computed = reads_when_counted(monkeypatch)
    member, other = org.a1_g1_members[0], org.a1_g1_members[1]
    _meeting(org, secretary_a1)
    spell = _away(member, secretary_a1)
    contact_record(spell=spell, on=TODAY, how="phone", what="联系", acting_user=None)
    review = AnnualReview.objects.create(member=other, year=2026, grade="unqualified")
    handling_record(
        review=review, measure="correct", decided_on=TODAY, deadline=TODAY + datetime.timedelta(days=90),
        acting_user=secretary_a1,
    )  # fmt: skip
    _assess_and_pay(org.a1_g2_members[0])
    _post(org.a1_vgs[0], "120.00")
    client = login(secretary_a1)
    for url in [
        *_pages(org).values(),
        reverse("village", args=[org.a1.pk]),  # the dashboard's groups table
        reverse("funds:ledger", args=[org.a1_vgs[0].pk]),
    ]:
        assert client.get(url).status_code == 200
    assert login(township_staff).get(reverse("standing:township", args=[org.ta.pk])).status_code == 200
    ledger = [q for key, queries in computed if ":ledger:" in key for q in queries]
    others = (":ledger:", ":branch:", ":branch-life:", ":appraisal:")  # the dashboard's: tests/test_village_changes.py
    read = [q for key, queries in computed if not any(k in key for k in others) for q in queries]
    tables = tables_read(read)
    assert {
        "orglife_meeting", "orglife_attendance", "members_awayspell", "members_awaycontact", "members_annualreview",
        "members_reviewhandling", "dues_assessment", "dues_duesbook", "members_standingchange", "groups_grouppost",
        "groups_coverage", "groups_villagergroup",
    } <= tables  # fmt: skip
    assert tables <= set(changes.tables())
    in_ledger = tables_read(ledger)
    assert {"groups_fundentry", "groups_meetingdecision", "groups_coverage"} <= in_ledger
    assert in_ledger <= set(changes.tables()) | set(changes.work_tables())


def test_the_new_tables_raise_their_villages_count_only(org, secretary_a1):
    changes.version([org.a1.pk, org.a2.pk])  # the rows a first visit makes

    def counts():
        return [VillageChanges.objects.get(village=v).n for v in (org.a1, org.a2)]

    steps = [
        lambda: _away(org.a1_g1_members[0], secretary_a1),
        lambda: contact_record(
            spell=AwaySpell.objects.get(member=org.a1_g1_members[0]), on=TODAY, how="phone", what="联系",
            acting_user=None,
        ),  # fmt: skip
        lambda: AnnualReview.objects.create(member=org.a1_g1_members[1], year=2026, grade="unqualified"),
        lambda: handling_record(
            review=AnnualReview.objects.get(member=org.a1_g1_members[1]), measure="correct", decided_on=TODAY,
            deadline=TODAY + datetime.timedelta(days=90), acting_user=secretary_a1,
        ),  # fmt: skip
    ]
    for step in steps:
        before = counts()
        step()
        after = counts()
        assert after[0] > before[0] and after[1] == before[1]
    before = counts()
    with connection.cursor() as cursor:  # plain SQL: a contact's day, a case's result, the book's balance
        cursor.execute("UPDATE members_awaycontact SET what = '再联系'")
        cursor.execute("UPDATE members_reviewhandling SET result = ''")
    assert counts()[0] >= before[0] + 2 and counts()[1] == before[1]
    _assess_and_pay(org.a1_g2_members[0])
    before = counts()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dues_duesbook SET balance = balance WHERE village_id = %s", [org.a1.pk])
    assert counts()[0] > before[0] and counts()[1] == before[1]


def test_the_branchs_long_pages_show_a_change_at_once_and_read_nothing_of_it_otherwise(org, secretary_a1, login):
    client = login(secretary_a1)
    urls = _pages(org)
    for url in urls.values():
        client.get(url)  # counted and kept

    with CaptureQueriesContext(connection) as kept:
        pages = {name: client.get(url).content.decode() for name, url in urls.items()}
    read = tables_read(kept.captured_queries)
    assert not read & {"orglife_meeting", "orglife_attendance", "dues_assessment", "members_awayspell"}
    assert "2027年还没有登记会议" in pages["orglife"] and "流动党员（0人）" in pages["standing"]

    _meeting(org, secretary_a1, topic="学习二十届四中全会精神")
    assert "学习二十届四中全会精神" in client.get(urls["orglife"]).content.decode()

    member = org.a1_g2_members[0]
    book = client.get(urls["dues"]).content.decode()
    assert "已交 0.00 元" in book
    _assess_and_pay(member)
    book = client.get(urls["dues"]).content.decode()
    assert "已交 40.00 元" in book and "待上缴余额：<strong>40.00</strong>" in book

    spell = _away(org.a1_g1_members[0], secretary_a1)
    page = client.get(urls["standing"]).content.decode()
    assert "流动党员（1人）" in page and "从未联系" in page
    contact_record(spell=spell, on=datetime.date(2027, 6, 14), how="phone", what="联系", acting_user=None)
    page = client.get(urls["standing"]).content.decode()
    assert "从未联系" not in page and "2027年6月14日" in page

    review = AnnualReview.objects.create(member=org.a1_g1_members[1], year=2026, grade="unqualified")
    assert "待支部登记处置" in client.get(urls["standing"]).content.decode()
    handling_record(
        review=review, measure="correct", decided_on=TODAY, deadline=TODAY + datetime.timedelta(days=90),
        acting_user=secretary_a1,
    )  # fmt: skip
    page = client.get(urls["standing"]).content.decode()
    assert "待支部登记处置" not in page and "限期改正，待登记结果" in page

    PartyMember.objects.filter(pk=org.a1_g1_members[2].pk).update(name="改名的党员")  # a bulk update, no service
    assert "改名的党员" in client.get(urls["standing"]).content.decode()


def test_a_reader_without_the_right_to_record_is_not_shown_the_kept_payment_links(
    org, secretary_a1, county_viewer, login
):
    _assess_and_pay(org.a1_g2_members[0])
    url = reverse("dues:book", args=[org.a1.pk, 2027])
    secretary = login(secretary_a1).get(url).content.decode()
    assert "＋ 登记交纳党费" in secretary and reverse("dues:payment-new", args=[org.a1.pk]) in secretary
    viewer = login(county_viewer).get(url).content.decode()
    assert "＋ 登记交纳党费" not in viewer and reverse("dues:payment-new", args=[org.a1.pk]) not in viewer
    assert "已交 40.00 元" in viewer


def test_nothing_of_the_person_is_kept(org, secretary_a1, login, monkeypatch):
    rendered = kept_values(monkeypatch)
    client = login(secretary_a1)
    for url in _pages(org).values():
        client.get(url)
    assert len(rendered) == 4  # the meetings, the book, the standing page's two parts
    for html in rendered:
        assert "csrfmiddlewaretoken" not in html and secretary_a1.username not in html


def test_the_standing_page_kept_late_in_the_evening_is_rendered_afresh_after_midnight_in_beijing(
    org, secretary_a1, login, frozen_at
):
    """The key has the day in Beijing: a probation due on 30 June is overdue from 1 July, 00:00 there (16:00 UTC)."""
    member = org.a1_g1_members[0]
    PartyMember.objects.filter(pk=member.pk).update(status="probationary", joined_on=datetime.date(2026, 6, 30))
    url = reverse("standing:village", args=[org.a1.pk])
    frozen_at(beijing(2027, 6, 30, 23, 50))
    client = login(secretary_a1)
    assert "预备期已满" not in client.get(url).content.decode()
    assert "预备期已满" not in client.get(url).content.decode()  # kept
    frozen_at(beijing(2027, 7, 1, 0, 10))
    page = client.get(url).content.decode()
    assert "预备期已满、尚未讨论转正（1人）" in page and "2027年6月30日到期" in page


def test_the_townships_standing_page_shows_a_change_in_any_of_its_villages_at_once(
    org, secretary_a1, secretary_a2, township_staff, login
):
    url = reverse("standing:township", args=[org.ta.pk])
    client = login(township_staff)
    assert "全乡没有在外的党员" in client.get(url).content.decode()
    _away(org.a2_members[0], secretary_a2, city="广州市")
    page = client.get(url).content.decode()
    assert "四川省广州市（1人）" in page and org.a2_members[0].name in page
    _away(org.b1_members[0], None)  # another township's village: not on this page, and nothing to count afresh
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url).content.decode()
    assert "members_awayspell" not in tables_read(kept.captured_queries)
    assert "四川省广州市（1人）" in again and org.b1_members[0].name not in again


def test_the_branch_dashboards_party_groups_show_a_new_leader_and_a_rename_at_once(org, secretary_a1, login):
    from groups.models import GroupPost, PartyGroup

    url = reverse("village", args=[org.a1.pk])
    client = login(secretary_a1)
    client.get(url)
    with CaptureQueriesContext(connection) as kept:
        page = client.get(url).content.decode()
    assert "groups_grouppost" not in tables_read(kept.captured_queries) and "罗紫一二社党小组" in page
    PartyGroup.objects.filter(pk=org.a1_g1.pk).update(name="罗紫一二社第一党小组")  # a bulk update
    assert "罗紫一二社第一党小组" in client.get(url).content.decode()
    GroupPost.objects.filter(party_group=org.a1_g2, ended_on__isnull=True).exclude(role="member").update(
        ended_on=TODAY
    )
    page = client.get(url).content.decode()
    assert "没有组长" in page


def test_a_ledgers_page_shows_a_posting_and_a_decision_at_once_and_its_forms_only_to_who_may_keep_it(
    org, secretary_a1, county_viewer, login
):
    from groups.ledger.services import decision_record

    vg = org.a1_vgs[0]
    url = reverse("funds:ledger", args=[vg.pk])
    client = login(secretary_a1)
    assert "还没有任何记录" in client.get(url).content.decode()
    _post(vg, "120.00")
    page = client.get(url).content.decode()
    assert "120.00" in page and "还没有任何记录" not in page
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url).content.decode()
    assert "groups_fundentry" not in tables_read(kept.captured_queries) and "120.00" in again
    decision_record(
        villager_group=vg, held_on=datetime.date(2027, 6, 2), subject="修村道", basis="households", entitled=30,
        present=25, votes_for=20, acting_user=None,
    )  # fmt: skip
    assert "修村道" in client.get(url).content.decode()
    entry_form = reverse("funds:entry-new", args=[vg.pk])
    assert entry_form in client.get(url).content.decode()
    viewer = login(county_viewer).get(url).content.decode()
    assert "120.00" in viewer and "修村道" in viewer and entry_form not in viewer
