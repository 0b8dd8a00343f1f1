"""Party-group leaders collect the dues of their own group's members (组长收缴): they reach their group's page by
clicking, record a payment for one of their members, and are refused another group's member (the form does not offer
them, the service refuses them) and another group's page (403 in their village, 404 in another)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from dues.models import DuesBook, Payment
from tests.dues.conftest import YEAR, month, pay

D = Decimal


def group_url(group):
    return reverse("dues:group", args=[group.pk])


def pay_url(group):
    return reverse("dues:group-pay", args=[group.pk])


def payment_data(member, **over):
    base = {"member": member.pk, "first_month": "2027-06", "months": "1", "amount": "40", "voluntary": "",
            "paid_on": "2027-06-12", "received_by": "罗紫党员1"}  # fmt: skip
    return {**base, **over}


def test_a_leader_reaches_their_groups_dues_by_clicking(org, group_leader, login, assessed):
    client = login(group_leader)
    home = client.get(reverse("home"), follow=True).content.decode()
    assert reverse("dues:index") in home
    response = client.get(reverse("dues:index"), follow=True)
    assert response.redirect_chain[-1][0] == group_url(org.a1_g1)
    text = response.content.decode()
    assert "罗紫党员1" in text and "罗紫党员6" not in text  # the second group's first member
    assert pay_url(org.a1_g1) in text


def test_a_leader_records_a_payment_for_a_member_of_their_group(org, group_leader, login, assessed):
    client = login(group_leader)
    form = client.get(pay_url(org.a1_g1) + f"?member={assessed[0].pk}&month=2027-05-01").content.decode()
    assert "罗紫党员6" not in form  # only their own group's members are offered
    response = client.post(pay_url(org.a1_g1), payment_data(assessed[0], first_month="2027-05", months="2",
                                                             amount="80"), follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == group_url(org.a1_g1)
    p = Payment.objects.get()
    assert (p.member, p.recorded_by, p.receipt_no) == (assessed[0], group_leader, "2027-0001")
    assert "收据 2027-0001" in response.content.decode()
    assert DuesBook.objects.get(village=org.a1).balance == D("80.00")


def test_a_leader_is_refused_a_member_of_another_group(org, group_leader, login, assessed):
    other = org.a1_g2_members[0]
    response = login(group_leader).post(pay_url(org.a1_g1), payment_data(other, amount="0.20"))
    assert response.status_code == 200
    assert "本组" in response.context["form"].errors["member"][0]
    assert not Payment.objects.exists()


def test_the_service_refuses_a_leader_another_groups_member(org, group_leader, assessed):
    from dues.services import payment_record

    with pytest.raises(PermissionDenied):
        pay(org.a1_g2_members[0], month(6), "0.20", user=group_leader)
    with pytest.raises(PermissionDenied):  # nor a member of another village
        payment_record(
            village=org.a2, member=org.a2_members[0], first_month=month(6), amount=D("0.20"),
            paid_on=month(6), received_by="x", acting_user=group_leader,
        )  # fmt: skip
    pay(assessed[0], month(6), "40", user=group_leader)  # their own member: recorded
    assert Payment.objects.count() == 1


def test_a_leader_gets_403_for_another_group_of_the_village_and_404_for_another_village(
    org, group_leader, login, assessed
):
    client = login(group_leader)
    for url in (group_url(org.a1_g2), pay_url(org.a1_g2)):
        assert client.get(url).status_code == 403
        assert client.post(url, payment_data(org.a1_g2_members[0], amount="0.20")).status_code == 403
    for url in (group_url(org.a2_g1), pay_url(org.a2_g1)):
        assert client.get(url).status_code == 404
    assert not Payment.objects.exists()


def test_a_leader_still_has_no_book_or_remittance_pages(org, group_leader, login):
    client = login(group_leader)
    assert client.get(reverse("dues:book", args=[org.a1.pk, YEAR])).status_code == 403
    assert client.get(reverse("dues:payment-new", args=[org.a1.pk])).status_code == 403
    assert client.get(reverse("dues:remittances", args=[org.a1.pk])).status_code == 403


def test_the_secretary_reaches_a_groups_dues_from_the_party_group_page(org, secretary_a1, login, assessed):
    from dues.services import assessment_set

    assessment_set(member=org.a1_g2_members[0], year=YEAR, category="farmer", acting_user=None)
    client = login(secretary_a1)
    page = client.get(reverse("groups:party-group", args=[org.a1_g2.pk])).content.decode()
    assert group_url(org.a1_g2) in page
    response = client.post(pay_url(org.a1_g2), payment_data(org.a1_g2_members[0], amount="0.20"))
    assert response.status_code == 302
    assert Payment.objects.get().member == org.a1_g2_members[0]


@pytest.mark.parametrize("extra", [0, 4])
def test_the_group_page_runs_a_fixed_number_of_queries(
    org, group_leader, login, assessed, extra, django_assert_num_queries
):
    from tests.factories import PartyMemberFactory, join

    members = [PartyMemberFactory(village=org.a1, name=f"加的组员{k}") for k in range(extra)]
    join(members, org.a1_g1)
    for m in members:
        pay(m, month(1), "0", voluntary="1", day=month(4))
    client = login(group_leader)
    client.get(reverse("home"))
    with django_assert_num_queries(11):  # the members' standing history: one query
        assert client.get(group_url(org.a1_g1)).status_code == 200
