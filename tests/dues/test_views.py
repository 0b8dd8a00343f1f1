"""The dues pages as people use them: reachable by clicking from home, the grid, recording a payment with errors
beside the field and nothing lost, reversal, arrears, remittance, the township's summary; scoped (404 for another
village, 403 for read-only roles) with pinned query counts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from dues.models import DuesBook, Payment, Remittance, RemittanceReceipt
from dues.services import assessment_set, remittance_record
from tests.dues.conftest import YEAR, month, pay

D = Decimal


def book_url(org, year=YEAR):
    return reverse("dues:book", args=[org.a1.pk, year])


def test_a_secretary_reaches_the_book_by_clicking_from_home(org, secretary_a1, login, assessed):
    client = login(secretary_a1)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("dues:index") in home
    response = client.get(reverse("dues:index"), follow=True)
    assert response.redirect_chain[-1][0] == book_url(org)
    text = response.content.decode()
    for target in ("dues:payment-new", "dues:arrears", "dues:remittances"):
        assert reverse(target, args=[org.a1.pk]) in text
    assert reverse("dues:assessments", args=[org.a1.pk, YEAR]) in text


def test_township_staff_land_on_the_township_summary(org, township_staff, login):
    response = login(township_staff).get(reverse("dues:index"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("dues:township", args=[org.ta.pk, YEAR])
    assert "罗紫村" in response.content.decode() and "白石村" not in response.content.decode()


def test_the_book_shows_each_members_months(org, secretary_a1, login, assessed):
    pay(assessed[0], month(1), "120", months=3)
    text = login(secretary_a1).get(book_url(org)).content.decode()
    assert "罗紫党员1" in text and "40.00" in text and "未交" in text and "120.00" in text
    assert "井阳党员1" not in text


def test_recording_a_payment_through_the_form(org, secretary_a1, login, assessed):
    client = login(secretary_a1)
    url = reverse("dues:payment-new", args=[org.a1.pk])
    data = {
        "member": assessed[0].pk,
        "first_month": "2027-05",
        "months": "2",
        "amount": "８０",  # full-width digits, as a Chinese input method types them
        "voluntary": "",
        "paid_on": "2027-06-12",
        "received_by": "谢明德",
    }
    response = client.post(url, data, follow=True)
    p = Payment.objects.get()
    assert response.redirect_chain[-1][0] == reverse("dues:payment", args=[p.pk])
    assert "2027-0001" in response.content.decode()
    assert DuesBook.objects.get(village=org.a1).balance == D("80.00")


def test_a_refused_payment_says_why_beside_the_field_and_keeps_what_was_typed(org, secretary_a1, login, assessed):
    pay(assessed[0], month(6), "40")
    data = {
        "member": assessed[0].pk,
        "first_month": "2027-06",
        "months": "1",
        "amount": "40",
        "paid_on": "2027-06-12",
        "received_by": "唐加惠",
    }
    response = login(secretary_a1).post(reverse("dues:payment-new", args=[org.a1.pk]), data)
    assert response.status_code == 200
    assert "已经交清" in response.context["form"].errors["amount"][0]
    text = response.content.decode()
    assert 'value="唐加惠"' in text and "has-error" in text
    assert Payment.objects.count() == 1


def test_a_negative_amount_is_refused_by_the_form(org, secretary_a1, login, assessed):
    data = {"member": assessed[0].pk, "first_month": "2027-06", "months": "1", "amount": "-40",
            "paid_on": "2027-06-12", "received_by": "谢明德"}  # fmt: skip
    response = login(secretary_a1).post(reverse("dues:payment-new", args=[org.a1.pk]), data)
    assert "负数" in response.context["form"].errors["amount"][0]
    assert not Payment.objects.exists()


def test_a_member_of_another_village_is_not_offered_and_not_accepted(org, secretary_a1, login, assessed):
    data = {"member": org.a2_members[0].pk, "first_month": "2027-06", "months": "1", "amount": "0.20",
            "paid_on": "2027-06-12", "received_by": "谢明德"}  # fmt: skip
    response = login(secretary_a1).post(reverse("dues:payment-new", args=[org.a1.pk]), data)
    assert "member" in response.context["form"].errors
    assert not Payment.objects.exists()


def test_reversing_a_payment_through_its_page(org, secretary_a1, login, assessed):
    p = pay(assessed[0], month(6), "40")
    client = login(secretary_a1)
    receipt = client.get(reverse("dues:payment", args=[p.pk])).content.decode()
    assert reverse("dues:payment-reverse", args=[p.pk]) in receipt
    response = client.post(reverse("dues:payment-reverse", args=[p.pk]), {"reason": "重复登记"}, follow=True)
    assert "已冲销" in response.content.decode()
    assert DuesBook.objects.get(village=org.a1).balance == D("0.00")


def test_assessing_a_member_through_the_form(org, secretary_a1, login):
    m = org.a1_g1_members[0]
    client = login(secretary_a1)
    page = client.get(reverse("dues:assessments", args=[org.a1.pk, YEAR])).content.decode()
    assert reverse("dues:assess", args=[m.pk, YEAR]) in page
    response = client.post(reverse("dues:assess", args=[m.pk, YEAR]), {"category": "farmer", "base": "3000"})
    assert "基数一栏请留空" in response.context["form"].errors["base"][0]
    client.post(reverse("dues:assess", args=[m.pk, YEAR]), {"category": "employed", "base": "3,000.01"})
    assert m.dues_assessments.get(year=YEAR).base == D("3000.01")


def test_the_arrears_page_lists_reminders_and_flags(org, secretary_a1, login, assessed):
    for m in assessed[:5]:
        if m != assessed[2]:
            pay(m, month(1), str(5 * (40 if m == assessed[0] else 25 if m == assessed[1] else D("0.20"))), months=5)
    text = login(secretary_a1).get(reverse("dues:arrears", args=[org.a1.pk])).content.decode()
    assert "罗紫党员3" in text  # unpaid since January 2026: 17 months
    assert "报支委会研究（1人）" in text


def test_read_only_roles_get_403_on_writes_and_nothing_changes(org, county_viewer, login, assessed):
    client = login(county_viewer)
    assert client.get(book_url(org)).status_code == 200
    assert client.get(reverse("dues:payment-new", args=[org.a1.pk])).status_code == 403
    data = {"member": assessed[0].pk, "first_month": "2027-06", "months": "1", "amount": "40",
            "paid_on": "2027-06-12", "received_by": "x"}  # fmt: skip
    assert client.post(reverse("dues:payment-new", args=[org.a1.pk]), data).status_code == 403
    assert client.post(reverse("dues:remittances", args=[org.a1.pk]), {"period_start": "2027-05-01"}).status_code == 403
    assert not Payment.objects.exists()


def test_group_leaders_have_no_dues_pages(org, group_leader, login):
    assert login(group_leader).get(book_url(org)).status_code == 403


def test_remitting_and_the_township_receiving(org, secretary_a1, township_staff, login, assessed):
    pay(assessed[0], month(5), "40", day=datetime.date(2027, 5, 20))
    pay(assessed[1], month(5), "25", day=datetime.date(2027, 5, 21))
    client = login(secretary_a1)
    page = client.get(reverse("dues:remittances", args=[org.a1.pk])).content.decode()
    assert "2027年5月（收缴 65.00 元）" in page
    response = client.post(
        reverse("dues:remittances", args=[org.a1.pk]), {"period_start": "2027-05-01", "remitted_on": "2027-06-05"}
    )
    assert response.status_code == 302
    r = Remittance.objects.get()
    assert r.amount == D("65.00") and DuesBook.objects.get(village=org.a1).balance == D("0.00")
    staff = login(township_staff)
    summary = staff.get(reverse("dues:township", args=[org.ta.pk, YEAR])).content.decode()
    assert "65.00" in summary and reverse("dues:receive", args=[r.pk]) in summary
    staff.post(reverse("dues:receive", args=[r.pk]), {"received_on": "2027-06-15"})
    assert RemittanceReceipt.objects.get().remittance == r


def test_a_secretary_cannot_confirm_the_townships_side(org, secretary_a1, login, assessed):
    pay(assessed[0], month(5), "40", day=datetime.date(2027, 5, 20))
    r = remittance_record(
        village=org.a1, period_start=month(5), remitted_on=datetime.date(2027, 6, 2), acting_user=None
    )
    response = login(secretary_a1).post(reverse("dues:receive", args=[r.pk]), {"received_on": "2027-06-15"})
    assert response.status_code == 403
    assert not RemittanceReceipt.objects.exists()


# --- pinned query counts (the same with more members and payments) ----------------------------------------------


def _grow(org, n: int):
    from tests.factories import PartyMemberFactory

    for k in range(n):
        m = PartyMemberFactory(village=org.a1, name=f"加的党员{k}")
        assessment_set(member=m, year=YEAR, category="farmer", acting_user=None)
        pay(m, month(1), "0.60", months=3, day=datetime.date(2027, 4, 2))


@pytest.mark.parametrize("extra", [0, 6])
def test_list_pages_and_exports_run_a_fixed_number_of_queries(
    org, secretary_a1, township_staff, login, assessed, django_assert_num_queries, extra
):
    """Exactly these many statements, with 6 members and their payments added or not (sessions and the login's
    bookkeeping included, after a first request)."""
    _grow(org, extra)
    pay(assessed[0], month(1), "120", months=3, day=datetime.date(2027, 4, 2))
    remittance_record(village=org.a1, period_start=month(4), remitted_on=datetime.date(2027, 5, 3), acting_user=None)
    client = login(secretary_a1)
    client.get(reverse("home"))
    # The pages that list the members owing dues read their standing history too (one query: months under 停止党籍
    # owe nothing).
    # the book: its grid kept until the branch changes (the earliest year on record, how far back the year links
    # go, read with the balance); its first visit counts and keeps
    with django_assert_num_queries(20):
        assert client.get(book_url(org)).status_code == 200
    pages = {
        book_url(org): 5,
        reverse("dues:register-xlsx", args=[org.a1.pk, YEAR]): 12,
        reverse("dues:assessments", args=[org.a1.pk, YEAR]): 6,
        reverse("dues:arrears", args=[org.a1.pk]): 14,
        reverse("dues:arrears-xlsx", args=[org.a1.pk]): 14,
        reverse("dues:remittances", args=[org.a1.pk]): 13,
    }
    for url, expected in pages.items():
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200, url
    staff = login(township_staff)
    staff.get(reverse("home"))
    for url, expected in (
        (reverse("dues:township", args=[org.ta.pk, YEAR]), 10),  # likewise
        (reverse("dues:township-xlsx", args=[org.ta.pk, YEAR]), 10),
    ):
        with django_assert_num_queries(expected):
            assert staff.get(url).status_code == 200, url


def _cells(html: str, member_name: str) -> list[tuple[str, str, str]]:
    """(state, title, content) of each month cell in the member's row of the book."""
    start = html.index(f'<td class="nowrap">{member_name}')
    row = html[start : html.index("</tr>", start)]
    return re.findall(r'<td class="num cell-(\w+)" title="([^"]+)">(.*?)</td>', row)


def test_each_month_cell_says_its_state_and_an_unpaid_one_links_to_the_payment_form(
    org, secretary_a1, county_viewer, login, assessed
):
    """A cell per month: paid (its amount), part-paid and unpaid (a link to the payment form for that member and
    month, for the secretary who records payments), each titled with its month."""
    member = assessed[0]  # 40.00 a month
    pay(member, month(1), "80", months=2)
    pay(member, month(3), "10")
    html = login(secretary_a1).get(book_url(org)).content.decode()
    cells = _cells(html, member.name)
    assert len(cells) == 12
    assert cells[0] == ("paid", "2027年1月", "40.00")
    assert cells[1] == ("paid", "2027年2月", "40.00")
    pay_form = reverse("dues:payment-new", args=[org.a1.pk])
    assert cells[2] == ("part", "2027年3月", f'<a href="{pay_form}?member={member.pk}&amp;month=2027-03-01">10.00</a>')
    assert cells[3] == ("unpaid", "2027年4月", f'<a href="{pay_form}?member={member.pk}&amp;month=2027-04-01">未交</a>')
    assert cells[11][:2] == ("unpaid", "2027年12月")

    # the county reads the book but does not record payments: the same states, no links
    staff_cells = _cells(login(county_viewer).get(book_url(org)).content.decode(), member.name)
    assert staff_cells[2] == ("part", "2027年3月", "10.00")
    assert staff_cells[3] == ("unpaid", "2027年4月", "未交")
