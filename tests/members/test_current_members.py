"""One definition of "a member of the branch on a day", read from the standing history, in every room that lists,
offers or counts members: a suspended member (停止党籍) pays no dues, is not expected at meetings nor offered for
posts and concerns, yet stays on the roster marked as such; a transferred-out member is current the day before and
not from that day; the dashboards count the same way at every level."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dues.forms import PaymentForm
from dues.selectors import book_for
from dues.services import assessment_set, payment_record
from groups.roster.national_export import national_write
from groups.selectors import warnings_for
from groups.standing.services import standing_record
from members.models import PartyMember
from orglife.meetings.services import expected_members
from orglife.visits.forms import ToConcernForm
from tests.factories import leave, suspend
from township.models import Village

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2027, 6, 15)  # the suite's frozen day


def restore(member, on):
    standing_record(member=member, kind="restored", on=on, decision="乡党委批复", acting_user=None)
    member.refresh_from_db()
    return member


def current(village, day=None) -> set[str]:
    return set(PartyMember.objects.filter(village=village).in_party_on(day).values_list("name", flat=True))


def test_a_member_transferred_out_is_current_the_day_before_and_not_from_that_day(org):
    m = leave(org.a1_loose, D(2027, 5, 3))
    assert m.name in current(org.a1, D(2027, 5, 2))
    assert m.name not in current(org.a1, D(2027, 5, 3))
    assert m.name not in current(org.a1)
    assert m.name in {x.name for x in expected_members(village=org.a1, kind="assembly", day=D(2027, 5, 2))}
    assert m.name not in {x.name for x in expected_members(village=org.a1, kind="assembly", day=D(2027, 5, 3))}


def test_a_suspended_member_is_not_current_and_is_again_once_restored(org):
    m = suspend(org.a1_g1_members[2], D(2027, 2, 10))
    assert m.name in current(org.a1, D(2027, 2, 9))
    assert m.name not in current(org.a1, D(2027, 2, 10)) and m.name not in current(org.a1)
    expected = expected_members(village=org.a1, kind="group", day=TODAY, party_group=org.a1_g1)
    assert m not in expected and org.a1_g1_members[0] in expected
    assert m not in ToConcernForm(village=org.a1).fields["raised_through"].queryset
    assert m.name not in PaymentForm(village=org.a1).fields["member"].queryset.values_list("name", flat=True)
    # still on the branch's roster, marked
    on_roster = PartyMember.objects.filter(village=org.a1).on_roster_on()
    assert on_roster.get(pk=m.pk).state_on == PartyMember.Status.SUSPENDED
    restore(m, D(2027, 6, 1))
    assert m.name in current(org.a1)
    assert m in expected_members(village=org.a1, kind="group", day=TODAY, party_group=org.a1_g1)
    assert m in ToConcernForm(village=org.a1).fields["raised_through"].queryset
    assert m in PaymentForm(village=org.a1).fields["member"].queryset


def test_months_wholly_under_suspension_owe_no_dues_and_are_refused(org):
    m = org.a1_g1_members[3]
    assessment_set(member=m, year=2027, category="farmer", acting_user=None)
    suspend(m, D(2027, 2, 10), restored_on=D(2027, 4, 20))
    row = next(r for r in book_for(org.a1, 2027).rows if r.member == m)
    owed = [c.month.month for c in row.cells if c.member]
    assert owed == [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12]  # March wholly suspended; February and April partly not
    with pytest.raises(ValidationError) as exc:
        payment_record(
            village=org.a1,
            member=m,
            first_month=D(2027, 2, 1),
            months=2,
            amount=Decimal("0.40"),
            paid_on=TODAY,
            received_by="谢明德",
            acting_user=None,
        )
    assert "2027年3月党籍停止" in exc.value.message_dict["months"][0]


def test_a_member_in_no_group_is_warned_of_only_while_a_member(org):
    assert "罗紫外出党员" in {w.subject for w in warnings_for(Village.objects.filter(pk=org.a1.pk))}
    suspend(org.a1_loose, D(2027, 1, 5))
    assert "罗紫外出党员" not in {w.subject for w in warnings_for(Village.objects.filter(pk=org.a1.pk))}


def test_the_national_export_marks_a_suspended_member_and_omits_one_who_left(org):
    suspend(org.a1_g1_members[1], D(2027, 3, 1))
    leave(org.a1_loose, D(2027, 4, 1))
    out = io.BytesIO()
    national_write(Village.objects.filter(pk=org.a1.pk), out, full=True)
    ws = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(ws.iter_rows(values_only=True))
    head = next(r for r in rows if r and "姓名" in r)
    by_name = {r[head.index("姓名")]: r for r in rows[rows.index(head) + 1 :] if r and r[head.index("姓名")]}
    suspended = by_name[org.a1_g1_members[1].name]
    assert (suspended[head.index("党籍状态")], suspended[head.index("党员类别")]) == ("停止党籍", "正式")
    assert by_name[org.a1_g1_members[0].name][head.index("党籍状态")] == "正常"
    assert org.a1_loose.name not in by_name


def test_the_township_counts_the_sum_of_its_villages_and_the_county_the_same(org, township_staff, county_viewer, login):
    suspend(org.a1_g1_members[4], D(2027, 3, 1))
    leave(org.a2_members[3], D(2027, 5, 1))
    page = login(township_staff).get(reverse("township", args=[org.ta.pk]))
    rows = {r["village"].name: r["members"] for r in page.context["rows"]}
    assert rows == {"罗紫村": 9, "井阳村": 3}  # 10 − 1 suspended; 4 − 1 transferred out
    assert page.context["members_total"] == 12 and "党员12名" in page.content.decode()
    village_page = login(township_staff).get(reverse("village", args=[org.a1.pk]))
    assert village_page.context["village"].n_members == rows["罗紫村"]
    county = login(county_viewer).get(reverse("county", args=[org.county.pk]))
    by_township = {r["township"].name: r["members"] for r in county.context["rows"]}
    assert by_township == {"东河乡": 12, "西山乡": 3}
