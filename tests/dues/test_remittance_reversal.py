"""A remittance recorded wrongly is corrected by a reversal (append-only, reason required, who and when): the money
goes back to the branch's book, the period may be remitted again, both sides see it, and the totals and the check
command agree to the fen. Each dues form written twice with the same one-time key is saved once."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from dues.models import Assessment, DuesBook, Excuse, Payment, Remittance, TownshipDuesRule
from dues.selectors import check, township_year
from dues.services import remittance_receive, remittance_record, remittance_reverse
from tests.dues.conftest import YEAR, month, pay
from tests.faults.helpers import REPEATED, issued_key

D = Decimal


@pytest.fixture
def remitted(org, assessed):
    pay(assessed[0], month(5), "40", day=datetime.date(YEAR, 5, 20))
    return remittance_record(
        village=org.a1, period_start=month(5), remitted_on=datetime.date(YEAR, 6, 2), acting_user=None
    )


def balance(org):
    return DuesBook.objects.get(village=org.a1).balance


def test_a_reversal_returns_the_money_to_the_book_and_the_period_can_be_remitted_again(
    org, secretary_a1, township_staff, login, remitted
):
    client = login(secretary_a1)
    page = client.get(reverse("dues:remittances", args=[org.a1.pk])).content.decode()
    url = reverse("dues:remittance-reverse", args=[remitted.pk])
    assert url in page
    response = client.post(url, {"reason": "上缴日期记错了"}, follow=True)
    assert "已冲销" in response.content.decode()
    reversal = Remittance.objects.get(reverses=remitted)
    assert (reversal.amount, reversal.reason, reversal.recorded_by) == (D("-40.00"), "上缴日期记错了", secretary_a1)
    assert balance(org) == D("40.00")
    page = client.get(reverse("dues:remittances", args=[org.a1.pk])).content.decode()
    assert "原因：上缴日期记错了" in page and "2027年5月（收缴 40.00 元）" in page
    staff_page = login(township_staff).get(reverse("dues:township", args=[org.ta.pk, YEAR])).content.decode()
    assert "冲销 40.00" in staff_page and "上缴日期记错了" in staff_page
    assert check([org.a1]) == []
    again = remittance_record(
        village=org.a1, period_start=month(5), remitted_on=datetime.date(YEAR, 6, 5), acting_user=secretary_a1
    )
    assert again.attempt == 2 and balance(org) == D("0.00")
    branch = township_year(org.ta, YEAR, villages=[org.a1])[0]
    may = next(p for p in branch.periods if p.start == month(5))
    assert may.remittance == again and may.reversed == [remitted]
    assert branch.remitted_total == D("40.00")
    assert check([org.a1]) == []
    out = io.StringIO()
    call_command("check_dues", stdout=out)
    assert "上缴 40.00 元" in out.getvalue() and "相符" in out.getvalue()


def test_a_reversal_needs_a_reason_beside_the_field(org, secretary_a1, login, remitted):
    response = login(secretary_a1).post(reverse("dues:remittance-reverse", args=[remitted.pk]), {"reason": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert Remittance.objects.count() == 1 and balance(org) == D("0.00")


def test_a_remittance_is_reversed_once_and_a_reversal_never(org, remitted):
    reversal = remittance_reverse(remittance=remitted, reason="记错", acting_user=None)
    with pytest.raises(ValidationError, match="已于"):
        remittance_reverse(remittance=remitted, reason="再冲", acting_user=None)
    with pytest.raises(ValidationError, match="冲销"):
        remittance_reverse(remittance=reversal, reason="再冲", acting_user=None)
    with pytest.raises(ValidationError, match="已冲销"):
        remittance_receive(remittance=remitted, received_on=datetime.date(YEAR, 6, 10), acting_user=None)
    assert Remittance.objects.count() == 2


def test_once_the_township_confirmed_it_only_the_township_reverses(org, secretary_a1, township_staff, login, remitted):
    remittance_receive(remittance=remitted, received_on=datetime.date(YEAR, 6, 10), acting_user=None)
    with pytest.raises(PermissionDenied):
        remittance_reverse(remittance=remitted, reason="记错", acting_user=secretary_a1)
    assert (
        login(secretary_a1).post(reverse("dues:remittance-reverse", args=[remitted.pk]), {"reason": "x"}).status_code
        == 403
    )
    remittance_reverse(remittance=remitted, reason="乡党委退回", acting_user=township_staff)
    assert balance(org) == D("40.00")


def test_the_database_keeps_one_live_remittance_per_period_and_reversals_negative(org, remitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        Remittance.objects.create(village=org.a1, period_start=month(5), amount=D("1"), remitted_on=month(6))
    with pytest.raises(IntegrityError), transaction.atomic():
        Remittance.objects.create(
            village=org.a1, period_start=month(5), amount=D("40"), remitted_on=month(6), reverses=remitted, reason="x"
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # append-only: never edited
        Remittance.objects.filter(pk=remitted.pk).update(amount=D("1"))


# --- the same form sent twice is saved once -------------------------------------------------------------------------


def _twice(client, url, data):
    data = {**data, "submission_key": issued_key(client.get(url).content.decode())}
    first = client.post(url, data)
    assert first.status_code == 302, url
    second = client.post(url, data, follow=True)
    assert REPEATED in second.content.decode(), url


def test_every_dues_form_sent_twice_is_saved_once(org, secretary_a1, township_staff, login, assessed, group_leader):
    client = login(secretary_a1)
    pay_data = {"member": assessed[0].pk, "first_month": "2027-05", "months": "1", "amount": "40",
                "paid_on": "2027-05-20", "received_by": "谢明德"}  # fmt: skip
    _twice(client, reverse("dues:payment-new", args=[org.a1.pk]), pay_data)
    assert Payment.objects.count() == 1 and balance(org) == D("40.00")
    p = Payment.objects.get()
    _twice(client, reverse("dues:payment-reverse", args=[p.pk]), {"reason": "重复登记"})
    assert Payment.objects.count() == 2 and balance(org) == D("0.00")
    _twice(client, reverse("dues:payment-new", args=[org.a1.pk]), {**pay_data, "paid_on": "2027-06-12"})
    assert balance(org) == D("40.00")
    _twice(client, reverse("dues:assess", args=[assessed[2].pk, YEAR]), {"category": "student"})
    assert Assessment.history.filter(member=assessed[2], year=YEAR).count() == 2  # set once by the fixture, once here
    excuse = {"member": assessed[3].pk, "first_month": "2027-01", "last_month": "2027-03", "reason": "在外务工"}
    _twice(client, reverse("dues:arrears", args=[org.a1.pk]), excuse)
    assert Excuse.objects.count() == 1
    _twice(client, reverse("dues:remittances", args=[org.a1.pk]), {"period_start": "2027-05-01",
                                                                     "remitted_on": "2027-06-03"})  # fmt: skip
    r = Remittance.objects.get()
    _twice(client, reverse("dues:remittance-reverse", args=[r.pk]), {"reason": "记错"})
    assert Remittance.objects.count() == 2 and balance(org) == D("40.00")
    leader = login(group_leader)
    leader_pay = {**pay_data, "member": assessed[1].pk, "amount": "25", "paid_on": "2027-06-12"}
    _twice(leader, reverse("dues:group-pay", args=[org.a1_g1.pk]), leader_pay)
    assert Payment.objects.filter(member=assessed[1]).count() == 1
    staff = login(township_staff)
    rule = {"valid_from": "2027-07", "farmer_amount": "0.50", "frequency": "monthly", "remit_due_day": "10"}
    _twice(staff, reverse("dues:settings-new", args=[org.ta.pk]), rule)
    assert TownshipDuesRule.objects.count() == 1
    again = remittance_record(village=org.a1, period_start=month(5), remitted_on=month(6), acting_user=None)
    summary = staff.get(reverse("dues:township", args=[org.ta.pk, YEAR])).content.decode()
    data = {"received_on": "2027-06-15", "submission_key": issued_key(summary)}
    staff.post(reverse("dues:receive", args=[again.pk]), data)
    assert REPEATED in staff.post(reverse("dues:receive", args=[again.pk]), data, follow=True).content.decode()
    assert check([org.a1]) == []
