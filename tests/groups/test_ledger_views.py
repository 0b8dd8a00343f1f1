"""The fund-ledger pages (/funds/) and the read-only ledger admin: what each person sees, what they may write, forms
that keep what was typed and answer next to the field, and query counts that do not grow with rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from groups.ledger.services import balance, decision_record, fund_entry_post, fund_entry_reverse
from groups.models import FundEntry, MeetingDecision
from tests.conftest import TOWNSHIP_B_NAMES
from tests.factories import UserFactory, assign, grow_township
from township.models import Assignment

INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
Cat = FundEntry.Category
DAY = datetime.date(2025, 3, 1)


def text(response) -> str:
    return response.content.decode()


def post_entry(vg, amount, direction=INCOME, *, category=None, day=DAY, decision=None, purpose="补助"):
    category = category or (Cat.SUBSIDY if direction == INCOME else Cat.OTHER)
    return fund_entry_post(
        villager_group=vg,
        entry_date=day,
        direction=direction,
        amount=Decimal(amount),
        category=category,
        counterparty="乡政府",
        purpose=purpose,
        decision=decision,
        acting_user=None,
    )


def record_meeting(vg, *, present=25, votes=20, subject="修路"):
    return decision_record(
        villager_group=vg,
        held_on=datetime.date(2025, 2, 1),
        subject=subject,
        basis="households",
        entitled=30,
        present=present,
        votes_for=votes,
        acting_user=None,
    )


def snapshot():
    return (
        sorted(FundEntry.objects.values_list("pk", "villager_group_id", "amount", "direction")),
        sorted(MeetingDecision.objects.values_list("pk", "present")),
    )


@pytest.fixture
def ledger(org):
    """罗紫村1社: an income, an expense reversed, a decision and a road expense citing it; 井阳村1社: one entry."""
    vg = org.a1_vgs[0]
    post_entry(vg, "2150.00", category=Cat.CONTRACTING, purpose="河堰转包收入")
    mistake = post_entry(vg, "350.00", EXPENSE, purpose="茶水费")
    reversal = fund_entry_reverse(entry=mistake, entry_date=DAY, reason="重复记账", acting_user=None)
    decision = record_meeting(vg)
    road = post_entry(
        vg, "1500.00", EXPENSE, category=Cat.CONSTRUCTION, decision=decision, purpose="修建社道路", day=DAY
    )
    post_entry(org.a2_vgs[0], "999.00", purpose="井阳补助")
    return type("Ledger", (), {"vg": vg, "mistake": mistake, "reversal": reversal, "decision": decision, "road": road})


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="zuzhang")
    assign(user, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


def entry_data(**changes):
    data = {
        "entry_date": "2025-04-01",
        "direction": INCOME,
        "amount": "1,000.50",
        "category": Cat.SUBSIDY,
        "counterparty": "金溪乡人民政府",
        "purpose": "运转补助",
        "decision": "",
    }
    data.update(changes)
    return data


def decision_data(**changes):
    data = {
        "held_on": "2025-04-01",
        "subject": "河堰转包收入投入社道路",
        "basis": "households",
        "entitled": "45",
        "present": "40",
        "votes_for": "36",
        "publicised_on": "",
    }
    data.update(changes)
    return data


# --- the list of villager groups --------------------------------------------------------------------------------


def test_the_list_shows_the_secretarys_villager_groups_with_balance_and_party_group(ledger, secretary_a1, login):
    response = login(secretary_a1).get(reverse("funds:index"))
    assert response.status_code == 200
    page = text(response)
    assert "650.00" in page  # 2,150 − 350 + 350 − 1,500
    assert "罗紫一二社党小组" in page and "罗紫三四社党小组" in page
    assert reverse("funds:ledger", args=[ledger.vg.pk]) in page
    assert "井阳" not in page and "999.00" not in page
    for foreign in TOWNSHIP_B_NAMES:
        assert foreign not in page


def test_township_staff_see_every_village_of_their_township_grouped(ledger, township_staff, login):
    page = text(login(township_staff).get(reverse("funds:index")))
    assert "罗紫村" in page and "井阳村" in page
    assert page.index("井阳村") < page.index("罗紫村") or page.index("罗紫村") < page.index("井阳村")
    assert "999.00" in page
    assert "白石村" not in page


def test_the_list_can_be_searched(ledger, township_staff, login):
    page = text(login(township_staff).get(reverse("funds:index"), {"q": "井阳"}))
    assert "999.00" in page
    assert "650.00" not in page


def test_the_list_is_paginated_and_its_queries_do_not_grow(org, ledger, township_staff, login):
    client = login(township_staff)
    client.get(reverse("funds:index"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("funds:index"))
    for village in grow_township(org.ta, 20):
        for vg in village.villager_groups.all():
            post_entry(vg, "10.00")
    with CaptureQueriesContext(connection) as big:
        response = client.get(reverse("funds:index"))
    assert len(big) == len(small)
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 50
    second = client.get(reverse("funds:index"), {"page": 2})
    assert second.status_code == 200


# --- one ledger -------------------------------------------------------------------------------------------------


def test_the_ledger_shows_entries_running_balance_and_reversals_linked_both_ways(ledger, secretary_a1, login):
    response = login(secretary_a1).get(reverse("funds:ledger", args=[ledger.vg.pk]))
    assert response.status_code == 200
    page = text(response)
    rows = response.context["rows"]
    assert [r.balance for r in rows] == [Decimal(x) for x in ("2150.00", "1800.00", "2150.00", "650.00")]
    assert "650.00" in page and "河堰转包收入" in page
    assert reverse("funds:entry", args=[ledger.reversal.pk]) in page  # original → reversal
    assert reverse("funds:entry", args=[ledger.mistake.pk]) in page  # reversal → original
    assert f'href="#decision-{ledger.decision.pk}"' in page and f'id="decision-{ledger.decision.pk}"' in page
    assert reverse("funds:entry-new", args=[ledger.vg.pk]) in page
    assert reverse("funds:decision-new", args=[ledger.vg.pk]) in page
    assert reverse("funds:entry-reverse", args=[ledger.road.pk]) in page
    assert reverse("funds:entry-reverse", args=[ledger.reversal.pk]) not in page  # a reversal is not reversed


def test_the_ledger_opens_on_the_newest_page_and_carries_the_balance(org, secretary_a1, login):
    vg = org.a1_vgs[1]
    for k in range(35):
        post_entry(vg, "10.00", day=DAY + datetime.timedelta(days=k), purpose=f"第{k}笔")
    client = login(secretary_a1)
    response = client.get(reverse("funds:ledger", args=[vg.pk]))
    assert response.context["page"].number == 2
    assert response.context["opening"] == Decimal("300.00")
    assert response.context["rows"][-1].balance == Decimal("350.00")
    assert "第34笔" in text(response) and "第0笔" not in text(response)
    first = client.get(reverse("funds:ledger", args=[vg.pk]), {"page": 1})
    assert first.context["rows"][0].balance == Decimal("10.00")


def test_the_ledger_queries_do_not_grow_with_entries(org, secretary_a1, login):
    vg = org.a1_vgs[1]
    client = login(secretary_a1)
    post_entry(vg, "5000.00")
    client.get(reverse("funds:ledger", args=[vg.pk]))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("funds:ledger", args=[vg.pk]))
    decision = record_meeting(vg)
    for k in range(40):
        e = post_entry(vg, "1.00", EXPENSE, day=DAY + datetime.timedelta(days=k), decision=decision)
        if k % 5 == 0:
            fund_entry_reverse(entry=e, entry_date=e.entry_date, reason="错", acting_user=None)
        record_meeting(vg, subject=f"第{k}次")
    # the page is kept until the ledger changes (township.changes.kept_html): the first visit after the postings
    # reads and renders it afresh, as the first visit above did
    client.get(reverse("funds:ledger", args=[vg.pk]))
    with CaptureQueriesContext(connection) as big:
        page = client.get(reverse("funds:ledger", args=[vg.pk])).content.decode()
    assert len(big) == len(small)
    assert "第39次" in page  # what was posted shows on the visit after it


def test_an_entry_link_opens_the_ledger_page_that_shows_it(org, secretary_a1, login):
    vg = org.a1_vgs[1]
    entries = [post_entry(vg, "1.00", day=DAY + datetime.timedelta(days=k)) for k in range(35)]
    response = login(secretary_a1).get(reverse("funds:entry", args=[entries[3].pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('funds:ledger', args=[vg.pk])}?page=1#entry-{entries[3].pk}"
    response = login(secretary_a1).get(reverse("funds:entry", args=[entries[31].pk]))
    assert response["Location"].endswith(f"?page=2#entry-{entries[31].pk}")


def test_the_county_viewer_reads_the_ledger_without_write_buttons(ledger, county_viewer, login):
    response = login(county_viewer).get(reverse("funds:ledger", args=[ledger.vg.pk]))
    assert response.status_code == 200
    page = text(response)
    assert "650.00" in page
    assert reverse("funds:entry-new", args=[ledger.vg.pk]) not in page
    assert reverse("funds:entry-reverse", args=[ledger.road.pk]) not in page


# --- recording an entry -----------------------------------------------------------------------------------------


def test_it_records_an_entry_typed_with_thousands_separators(org, ledger, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:entry-new", args=[ledger.vg.pk])
    assert client.get(url, {"direction": "income"}).status_code == 200
    response = client.post(url, entry_data())
    assert response.status_code == 302
    new = FundEntry.objects.latest("pk")
    assert new.villager_group == ledger.vg
    assert new.amount == Decimal("1000.50")
    assert new.party_group == org.a1_g1
    assert new.recorded_by == secretary_a1
    assert response["Location"] == reverse("funds:entry", args=[new.pk])
    page = text(client.get(response["Location"], follow=True))
    assert "1,650.50" in page  # the success message and the balance


def test_plain_amounts_are_accepted(ledger, secretary_a1, login):
    client = login(secretary_a1)
    response = client.post(reverse("funds:entry-new", args=[ledger.vg.pk]), entry_data(amount="1000"))
    assert response.status_code == 302
    assert FundEntry.objects.latest("pk").amount == Decimal("1000.00")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-5", "negative"),
        ("1e3", "invalid"),
        ("abc", "invalid"),
        ("1,00", "invalid"),
        ("0", "zero"),
        ("0.00", "zero"),
        ("12.345", "decimal_places"),
        ("99999999999", "max_value"),
    ],
)
def test_a_bad_amount_is_answered_next_to_the_field_with_the_input_kept(ledger, secretary_a1, login, typed, code):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:entry-new", args=[ledger.vg.pk]), entry_data(amount=typed, purpose="留着我")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["amount"]] == [code]
    page = text(response)
    assert f'value="{typed}"' in page
    assert "留着我" in page
    assert snapshot() == before


def test_an_expense_over_the_balance_is_answered_on_the_amount_with_the_balance(ledger, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:entry-new", args=[ledger.vg.pk]),
        entry_data(direction=EXPENSE, category=Cat.OTHER, amount="700", purpose="买水泥"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["amount"]] == ["overdraft"]
    assert "650.00" in text(response)
    assert "买水泥" in text(response)
    assert snapshot() == before


def test_a_distribution_without_a_decision_is_answered_on_the_decision_field(ledger, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:entry-new", args=[ledger.vg.pk]),
        entry_data(direction=EXPENSE, category=Cat.DISTRIBUTION, amount="100"),
    )
    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    assert snapshot() == before
    response = login(secretary_a1).post(
        reverse("funds:entry-new", args=[ledger.vg.pk]),
        entry_data(direction=EXPENSE, category=Cat.DISTRIBUTION, amount="100", decision=str(ledger.decision.pk)),
    )
    assert response.status_code == 302
    assert FundEntry.objects.latest("pk").decision == ledger.decision


def test_the_decision_choices_are_the_villager_groups_own(org, ledger, secretary_a1, login):
    other = record_meeting(org.a1_vgs[1], subject="别社的决议")
    client = login(secretary_a1)
    page = text(client.get(reverse("funds:entry-new", args=[ledger.vg.pk])))
    assert "修路" in page and "别社的决议" not in page
    before = snapshot()
    response = client.post(
        reverse("funds:entry-new", args=[ledger.vg.pk]),
        entry_data(direction=EXPENSE, category=Cat.CONSTRUCTION, amount="100", decision=str(other.pk)),
    )
    assert [e.code for e in response.context["form"].errors.as_data()["decision"]] == ["invalid_choice"]
    assert snapshot() == before


def test_an_invalid_decision_is_marked_in_the_choices_and_refused(ledger, secretary_a1, login):
    weak = record_meeting(ledger.vg, present=10, votes=10, subject="人没到齐")
    client = login(secretary_a1)
    response = client.post(
        reverse("funds:entry-new", args=[ledger.vg.pk]),
        entry_data(direction=EXPENSE, category=Cat.DISTRIBUTION, amount="100", decision=str(weak.pk)),
    )
    assert response.status_code == 200
    assert "decision" in response.context["form"].errors
    assert not FundEntry.objects.filter(decision=weak).exists()


# --- recording a decision ---------------------------------------------------------------------------------------


def test_it_records_a_meeting_decision(ledger, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:decision-new", args=[ledger.vg.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, decision_data())
    assert response.status_code == 302
    d = MeetingDecision.objects.latest("pk")
    assert (d.villager_group, d.entitled, d.present, d.votes_for) == (ledger.vg, 45, 40, 36)
    assert d.recorded_by == secretary_a1


def test_after_a_valid_decision_it_returns_to_the_entry_form_it_came_from(ledger, secretary_a1, login):
    url = reverse("funds:decision-new", args=[ledger.vg.pk])
    response = login(secretary_a1).post(f"{url}?then=expense", decision_data())
    assert response["Location"] == f"{reverse('funds:entry-new', args=[ledger.vg.pk])}?direction=expense"
    response = login(secretary_a1).post(f"{url}?then=https://evil.example", decision_data())
    assert "evil" not in response["Location"]


def test_a_meeting_without_quorum_is_recorded_with_a_warning(ledger, secretary_a1, login):
    response = login(secretary_a1).post(
        reverse("funds:decision-new", args=[ledger.vg.pk]), decision_data(present="20", votes_for="20"), follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]
    assert MeetingDecision.objects.filter(present=20).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"present": "50"}, "present"),
        ({"votes_for": "41"}, "votes_for"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"held_on": "昨天"}, "held_on"),
        ({"entitled": "0"}, "entitled"),
        ({"publicised_on": "2025-03-01"}, "publicised_on"),
    ],
)
def test_an_impossible_meeting_is_answered_on_its_field(ledger, secretary_a1, login, changes, field):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:decision-new", args=[ledger.vg.pk]), decision_data(subject="保留这段话", **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "保留这段话" in text(response)
    assert snapshot() == before


# --- reversing --------------------------------------------------------------------------------------------------


def test_it_reverses_an_entry_with_a_reason(ledger, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:entry-reverse", args=[ledger.road.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"entry_date": "2025-04-01", "reason": "工程款记错社"})
    assert response.status_code == 302
    reversal = FundEntry.objects.get(reverses=ledger.road)
    assert reversal.direction == INCOME and reversal.purpose == "工程款记错社"
    assert balance(ledger.vg) == Decimal("2150.00")


def test_a_second_reversal_is_refused_and_changes_nothing(ledger, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:entry-reverse", args=[ledger.mistake.pk])
    page = text(client.get(url))
    assert reverse("funds:entry", args=[ledger.reversal.pk]) in page
    assert 'name="reason"' not in page
    before = snapshot()
    response = client.post(url, {"entry_date": "2025-04-01", "reason": "再冲一次"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert snapshot() == before


def test_reversing_a_reversal_is_refused(ledger, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:entry-reverse", args=[ledger.reversal.pk]), {"entry_date": "2025-04-01", "reason": "x"}
    )
    assert response.status_code == 200
    assert snapshot() == before


def test_a_reversal_without_reason_is_answered_on_the_field(ledger, secretary_a1, login):
    before = snapshot()
    response = login(secretary_a1).post(
        reverse("funds:entry-reverse", args=[ledger.road.pk]), {"entry_date": "2025-01-01", "reason": ""}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert snapshot() == before


# --- the disclosure sheet (HTML) --------------------------------------------------------------------------------


def test_the_disclosure_sheet_shows_the_period_with_totals_and_decisions(ledger, secretary_a1, login):
    post_entry(ledger.vg, "100.00", day=datetime.date(2024, 12, 1), purpose="上年结余")
    response = login(secretary_a1).get(
        reverse("funds:disclosure", args=[ledger.vg.pk]), {"start": "2025-01-01", "end": "2025-12-31"}
    )
    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet.opening == Decimal("100.00")
    assert sheet.income == Decimal("2150.00")  # the reversed 350 is not income: it takes the 茶水费 back
    assert sheet.expense == Decimal("1500.00")  # 350 + 1500 − 350
    assert sheet.closing == Decimal("750.00")
    assert sheet.decisions == [ledger.decision]
    page = text(response)
    assert "罗紫村1社" in page
    assert "2,150.00" in page and "1,500.00" in page and "750.00" in page
    reversal_row = page.split("重复记账")[0].rsplit("<tr>", 1)[1] + page.split("重复记账")[1].split("</tr>")[0]
    assert "-350.00" in reversal_row and "冲销" in reversal_row  # the word the 公示 workbook prints
    assert "修路" in page
    assert "css/ledger-print.css" in page and 'media="print"' in page
    assert "中共罗紫村支部委员会" in page  # the branch signs
    assert "罗紫一二社党小组" in page and "罗紫党员1" in page  # the party group and its leader sign
    assert reverse("funds:disclosure-xlsx", args=[ledger.vg.pk]) in page


def test_the_disclosure_sheet_defaults_to_this_year(ledger, secretary_a1, login):
    response = login(secretary_a1).get(reverse("funds:disclosure", args=[ledger.vg.pk]))
    year = clock.this_year()
    assert response.context["sheet"].start == datetime.date(year, 1, 1)
    assert response.context["sheet"].end == datetime.date(year, 12, 31)


def test_a_period_ending_before_it_starts_is_answered_on_the_field(ledger, secretary_a1, login):
    client = login(secretary_a1)
    response = client.get(
        reverse("funds:disclosure", args=[ledger.vg.pk]), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert response.status_code == 200
    assert "end" in response.context["form"].errors
    assert response.context["sheet"] is None
    xlsx = client.get(
        reverse("funds:disclosure-xlsx", args=[ledger.vg.pk]), {"start": "2025-12-31", "end": "2025-01-01"}
    )
    assert xlsx.status_code == 302


def test_the_disclosure_queries_do_not_grow_with_entries(ledger, secretary_a1, login):
    client = login(secretary_a1)
    url = reverse("funds:disclosure", args=[ledger.vg.pk])
    params = {"start": "2025-01-01", "end": "2025-12-31"}
    client.get(url, params)
    with CaptureQueriesContext(connection) as small:
        client.get(url, params)
        client.get(reverse("funds:disclosure-xlsx", args=[ledger.vg.pk]), params)
    for k in range(30):
        d = record_meeting(ledger.vg, subject=f"决议{k}")
        post_entry(ledger.vg, "1.00", EXPENSE, category=Cat.DISTRIBUTION, decision=d, day=DAY)
    with CaptureQueriesContext(connection) as big:
        client.get(url, params)
        client.get(reverse("funds:disclosure-xlsx", args=[ledger.vg.pk]), params)
    assert len(big) == len(small)


# --- who may see and write what ---------------------------------------------------------------------------------


def _read_urls(ledger):
    vg = ledger.vg.pk
    return [
        reverse("funds:ledger", args=[vg]),
        reverse("funds:entry", args=[ledger.road.pk]),
        reverse("funds:disclosure", args=[vg]),
        reverse("funds:disclosure-xlsx", args=[vg]),
    ]


def _write_requests(ledger):
    vg = ledger.vg.pk
    return [
        (reverse("funds:entry-new", args=[vg]), entry_data()),
        (reverse("funds:decision-new", args=[vg]), decision_data()),
        (reverse("funds:entry-reverse", args=[ledger.road.pk]), {"entry_date": "2025-04-01", "reason": "试试"}),
    ]


@pytest.mark.parametrize("persona", ["secretary_a2", "township_b_staff"])
def test_another_villages_ledger_is_answered_like_a_missing_one(ledger, persona, request, login):
    client = login(request.getfixturevalue(persona))
    for url in _read_urls(ledger):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "河堰转包收入" not in text(response)
    before = snapshot()
    for url, data in _write_requests(ledger):
        assert client.get(url).status_code == 404, url
        assert client.post(url, data).status_code == 404, url
    assert snapshot() == before
    page = text(client.get(reverse("funds:index")))
    assert "河堰转包收入" not in page and "650.00" not in page


def test_missing_objects_answer_404(ledger, secretary_a1, login):
    client = login(secretary_a1)
    assert client.get(reverse("funds:ledger", args=[10**9])).status_code == 404
    assert client.get(reverse("funds:entry", args=[10**9])).status_code == 404
    assert client.post(reverse("funds:entry-reverse", args=[10**9]), {}).status_code == 404


@pytest.mark.parametrize("persona", ["county_viewer", "group_leader"])
def test_read_only_people_read_but_get_403_on_every_write(ledger, persona, request, login):
    client = login(request.getfixturevalue(persona))
    for url in _read_urls(ledger):
        assert client.get(url).status_code in {200, 302}, url
    assert client.get(reverse("funds:ledger", args=[ledger.vg.pk])).status_code == 200
    before = snapshot()
    for url, data in _write_requests(ledger):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    assert snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(ledger, client):
    before = snapshot()
    for url in [reverse("funds:index"), *_read_urls(ledger)]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    for url, data in _write_requests(ledger):
        assert client.post(url, data).status_code == 302
    assert snapshot() == before


def test_township_staff_write_in_every_village_of_their_township(org, ledger, township_staff, login):
    response = login(township_staff).post(reverse("funds:entry-new", args=[org.a2_vgs[0].pk]), entry_data())
    assert response.status_code == 302
    assert FundEntry.objects.latest("pk").villager_group == org.a2_vgs[0]


# --- admin: read-only, scoped, flat query counts ----------------------------------------------------------------


def admin_url(model, view, *args):
    return reverse(f"admin:groups_{model._meta.model_name}_{view}", args=args)


def test_the_admin_lists_fund_entries_read_only(ledger, township_staff, login):
    client = login(township_staff)
    response = client.get(admin_url(FundEntry, "changelist"))
    assert response.status_code == 200
    page = text(response)
    assert "罗紫村1社" in page and "井阳村1社" in page
    assert client.get(admin_url(FundEntry, "add")).status_code == 403
    change = client.get(admin_url(FundEntry, "change", ledger.road.pk))
    assert change.status_code == 200
    assert 'name="_save"' not in text(change)
    before = snapshot()
    assert client.post(admin_url(FundEntry, "change", ledger.road.pk), {"amount": "1"}).status_code == 403
    assert client.post(admin_url(FundEntry, "delete", ledger.road.pk), {"post": "yes"}).status_code == 403
    assert snapshot() == before
    decisions = client.get(admin_url(MeetingDecision, "changelist"))
    assert decisions.status_code == 200
    assert client.get(admin_url(MeetingDecision, "add")).status_code == 403


def test_the_admin_shows_another_townships_entries_to_nobody_but_them(ledger, township_b_staff, login):
    client = login(township_b_staff)
    page = text(client.get(admin_url(FundEntry, "changelist")))
    assert "罗紫村1社" not in page
    assert client.get(admin_url(FundEntry, "change", ledger.road.pk)).status_code in {302, 404}
    assert client.get(admin_url(MeetingDecision, "change", ledger.decision.pk)).status_code in {302, 404}


def test_the_admin_changelists_queries_do_not_grow(org, ledger, township_staff, login):
    client = login(township_staff)
    for model in (FundEntry, MeetingDecision):
        client.get(admin_url(model, "changelist"))
    with CaptureQueriesContext(connection) as small:
        for model in (FundEntry, MeetingDecision):
            client.get(admin_url(model, "changelist"))
    for vg in org.a1_vgs[1:]:
        d = record_meeting(vg)
        post_entry(vg, "3000.00")
        e = post_entry(vg, "2000.00", EXPENSE, category=Cat.CONSTRUCTION, decision=d)
        fund_entry_reverse(entry=e, entry_date=DAY, reason="错", acting_user=None)
    with CaptureQueriesContext(connection) as big:
        for model in (FundEntry, MeetingDecision):
            client.get(admin_url(model, "changelist"))
    assert len(big) == len(small)


def test_the_side_trip_to_record_a_decision_comes_back_with_the_typed_input(ledger, secretary_a1, login):
    """登记会议决议 from the entry form: what was typed is kept, and the new decision is chosen on return."""
    client = login(secretary_a1)
    entry_url = reverse("funds:entry-new", args=[ledger.vg.pk])
    typed = entry_data(direction=EXPENSE, amount="3,200", category=Cat.CONSTRUCTION, purpose="修建三社机耕道")
    before = snapshot()
    trip = client.post(entry_url, {**typed, "side_trip": "decision"})
    assert trip.status_code == 302 and "decision/new/" in trip["Location"]
    assert snapshot() == before  # the side trip saved nothing
    assert "回到未填完的收支登记" in client.get(trip["Location"]).content.decode()
    back = client.post(trip["Location"], decision_data(subject="修建三社机耕道"))
    decision = MeetingDecision.objects.get(subject="修建三社机耕道")
    assert back["Location"].startswith(entry_url) and f"decision={decision.pk}" in back["Location"]
    form = client.get(back["Location"]).context["form"]
    assert form["purpose"].value() == "修建三社机耕道"
    assert form["amount"].value() == "3,200"
    assert form["direction"].value() == EXPENSE
    assert str(form["decision"].value()) == str(decision.pk)


def test_a_decision_that_cannot_be_cited_still_brings_the_typed_entry_back(ledger, secretary_a1, login):
    """The side trip's decision failed its vote (40 present, 3 for): it is recorded as held, and the person is back on
    the entry they were typing, with the reason, nothing chosen, and what they typed."""
    client = login(secretary_a1)
    entry_url = reverse("funds:entry-new", args=[ledger.vg.pk])
    typed = entry_data(direction=EXPENSE, amount="1300", category=Cat.CONSTRUCTION, purpose="修补四社水渠")
    trip = client.post(entry_url, {**typed, "side_trip": "decision"})
    back = client.post(trip["Location"], decision_data(subject="修补四社水渠", votes_for="3"))
    assert MeetingDecision.objects.filter(subject="修补四社水渠").count() == 1
    assert back["Location"].startswith(entry_url) and "decision=" not in back["Location"]
    page = client.get(back["Location"])
    assert "这项决议不能被引用" in page.content.decode()
    form = page.context["form"]
    typed_back = (form["purpose"].value(), form["amount"].value(), form["direction"].value())
    assert typed_back == ("修补四社水渠", "1300", EXPENSE)
    assert not form["decision"].value()
