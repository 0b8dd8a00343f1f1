"""The township's dues settings: staff reach them by clicking, see what is in force and every dated change, and add a
change from a coming month (past months keep their rate); bad input is answered beside the field, nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.urls import reverse

from dues.models import TownshipDuesRule
from dues.selectors import book_for, schedule_for
from dues.services import township_rule_add
from tests.dues.conftest import YEAR, month, pay

D = Decimal


def settings_url(org):
    return reverse("dues:settings", args=[org.ta.pk])


def new_url(org):
    return reverse("dues:settings-new", args=[org.ta.pk])


def data(**over):
    base = {"valid_from": "2027-07", "farmer_amount": "0.50", "frequency": "monthly", "remit_due_day": "10"}
    return {**base, **over}


def test_staff_reach_the_settings_from_the_township_page_and_see_the_2008_bands(org, township_staff, login):
    client = login(township_staff)
    summary = client.get(reverse("dues:township", args=[org.ta.pk, YEAR])).content.decode()
    assert settings_url(org) in summary
    page = client.get(settings_url(org)).content.decode()
    assert new_url(org) in page
    assert "0.20" in page and "按月" in page  # the default in force
    assert "中组部2008年党费收缴标准" in page and "3,000.00 元及以下" in page and "1.5%" in page
    # each amount kept whole on a phone's narrow column
    assert '<span class="nowrap">5,000.00 元以上</span> <span class="nowrap">至 10,000.00 元</span>' in page


def test_a_change_applies_from_its_month_and_past_months_keep_their_rate(org, township_staff, login, assessed):
    farmer = assessed[2]
    pay(farmer, month(6), "0.20")
    response = login(township_staff).post(new_url(org), data(), follow=True)
    assert response.redirect_chain[-1][0] == settings_url(org)
    assert "2027年7月起按新的规定收缴" in response.content.decode()
    rule = TownshipDuesRule.objects.get(township=org.ta)
    assert (rule.valid_from, rule.farmer_amount) == (month(7), D("0.50"))
    schedule = schedule_for(org.ta.pk)
    assert schedule.due("farmer", None, month(6)) == D("0.20")
    assert schedule.due("farmer", None, month(7)) == D("0.50")
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == farmer)
    assert [c.due for c in row.cells[4:8]] == [D("0.20"), D("0.20"), D("0.50"), D("0.50")]
    assert row.cells[5].state == "paid"  # June, paid at June's rate, stays paid


def test_the_farmers_amount_must_be_between_0_20_and_1_yuan(org, township_staff, login):
    client = login(township_staff)
    for typed in ("1.50", "0.10", "0"):
        response = client.post(new_url(org), data(farmer_amount=typed))
        assert response.status_code == 200
        assert "0.20到1.00" in response.context["form"].errors["farmer_amount"][0], typed
        assert f'value="{typed}"' in response.content.decode()
    response = client.post(new_url(org), data(farmer_amount="-0.5"))
    assert "负数" in response.context["form"].errors["farmer_amount"][0]
    assert not TownshipDuesRule.objects.exists()


def test_a_change_cannot_reach_back_into_this_or_past_months(org, township_staff, login):
    response = login(township_staff).post(new_url(org), data(valid_from="2027-06"))
    assert "最早填2027年7月" in response.context["form"].errors["valid_from"][0]
    assert not TownshipDuesRule.objects.exists()


def test_quarterly_collection_starts_with_a_quarter(org, township_staff, login):
    client = login(township_staff)
    response = client.post(new_url(org), data(valid_from="2027-08", frequency="quarterly"))
    assert "季度的第一个月" in response.context["form"].errors["valid_from"][0]
    assert client.post(new_url(org), data(valid_from="2027-10", frequency="quarterly")).status_code == 302
    assert schedule_for(org.ta.pk).township_rule_for(month(11)).frequency == "quarterly"


def test_one_change_per_month(org, township_staff, login):
    township_rule_add(
        township=org.ta, valid_from=month(7), farmer_amount="0.30", frequency="monthly", remit_due_day=10,
        acting_user=township_staff,
    )  # fmt: skip
    response = login(township_staff).post(new_url(org), data())
    assert "一个月只能有一份" in response.context["form"].errors["valid_from"][0]
    assert TownshipDuesRule.objects.get().farmer_amount == D("0.30")


def test_a_branch_and_a_county_viewer_may_not_change_the_settings(org, secretary_a1, county_viewer, login):
    for user in (secretary_a1, county_viewer):
        client = login(user)
        assert client.get(settings_url(org)).status_code == 403
        assert client.post(new_url(org), data()).status_code == 403
    assert not TownshipDuesRule.objects.exists()


def test_the_settings_pages_run_a_fixed_number_of_queries(org, township_staff, login, django_assert_num_queries):
    client = login(township_staff)
    client.get(reverse("home"))
    with django_assert_num_queries(9) as first:
        client.get(settings_url(org))
    for m in (7, 8, 9):
        township_rule_add(
            township=org.ta, valid_from=month(m), farmer_amount="0.40", frequency="monthly", remit_due_day=10,
            acting_user=None,
        )  # fmt: skip
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(settings_url(org))
    assert datetime.date(YEAR, 9, 1) == TownshipDuesRule.objects.latest("valid_from").valid_from
