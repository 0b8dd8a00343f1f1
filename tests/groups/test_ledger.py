"""The fund-ledger services: decisions and their quorum and majority, posting, the threshold, distributions, the
balance, reversals and the party group recorded on each entry."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from core import clock
from groups.ledger.services import (
    balance,
    balances,
    decision_check,
    decision_record,
    fund_entry_post,
    fund_entry_reverse,
    quorum_needed,
    recount_fund_balances,
    with_balances,
)
from groups.models import FundEntry, MeetingDecision, VillagerGroup
from groups.services import coverage_assign
from tests.factories import PartyGroupFactory, TownshipFactory, VillageFactory, VillagerGroupFactory

DAY = datetime.date(2025, 3, 1)
INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
Cat = FundEntry.Category


def post(vg, amount, direction=INCOME, *, category=None, day=DAY, decision=None, user=None, purpose="测试"):
    if category is None:
        category = Cat.SUBSIDY if direction == INCOME else Cat.OTHER
    return fund_entry_post(
        villager_group=vg,
        entry_date=day,
        direction=direction,
        amount=Decimal(amount) if isinstance(amount, str) else amount,
        category=category,
        counterparty="乡政府",
        purpose=purpose,
        decision=decision,
        acting_user=user,
    )


def meeting(vg, *, entitled=30, present=25, votes=20, day=datetime.date(2025, 2, 1), basis="households"):
    return decision_record(
        villager_group=vg,
        held_on=day,
        subject="河堰转包收入投入社道路",
        basis=basis,
        entitled=entitled,
        present=present,
        votes_for=votes,
        acting_user=None,
    )


def field_errors(exc: ValidationError) -> dict[str, list[ValidationError]]:
    return exc.error_dict if hasattr(exc, "error_dict") else {}


@pytest.fixture
def vg(org):
    return org.a1_vgs[0]  # 罗紫村1社, looked after by 罗紫一二社党小组


# --- posting and the balance ------------------------------------------------------------------------------------


def test_it_posts_an_income_with_its_party_group_and_author(org, vg, secretary_a1):
    entry = post(vg, "2150.00", category=Cat.CONTRACTING, user=secretary_a1)
    entry.refresh_from_db()
    assert entry.amount == Decimal("2150.00")
    assert entry.party_group == org.a1_g1
    assert entry.recorded_by == secretary_a1
    assert entry.history.first().history_user == secretary_a1
    assert balance(vg) == Decimal("2150.00")


def test_it_records_the_party_group_looking_after_the_villager_group_on_the_entry_date(org, vg):
    coverage_assign(party_group=org.a1_g2, villager_group=vg, started_on=datetime.date(2025, 6, 1))
    before = post(vg, "100", day=datetime.date(2025, 5, 31))
    after = post(vg, "100", day=datetime.date(2025, 6, 1))
    assert before.party_group == org.a1_g1
    assert after.party_group == org.a1_g2


def test_it_keeps_cents_exact(vg):
    post(vg, "0.10")
    post(vg, "0.20")
    assert balance(vg) == Decimal("0.30")
    for _ in range(10):
        post(vg, "0.01")
    assert balance(vg) == Decimal("0.40")
    post(vg, "0.40", EXPENSE)
    assert balance(vg) == Decimal("0.00")
    assert str(balance(vg)) == "0.00"


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-5"), Decimal("12.345"), 1.5, Decimal("NaN"), "abc"])
def test_it_refuses_an_amount_that_is_not_positive_yuan_and_fen(vg, amount):
    with pytest.raises(ValidationError) as info:
        fund_entry_post(
            villager_group=vg,
            entry_date=DAY,
            direction=INCOME,
            amount=amount,
            category=Cat.SUBSIDY,
            purpose="测试",
            acting_user=None,
        )
    assert "amount" in field_errors(info.value)
    assert not FundEntry.objects.filter(villager_group=vg).exists()


def test_it_refuses_an_expense_larger_than_the_balance_and_says_what_the_balance_is(vg):
    post(vg, "1234.50")
    post(vg, "1000.00", EXPENSE)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        post(vg, "234.51", EXPENSE)
    error = field_errors(info.value)["amount"][0]
    assert error.code == "overdraft"
    assert "234.50" in error.messages[0]
    assert FundEntry.objects.filter(villager_group=vg).count() == 2
    post(vg, "234.50", EXPENSE)  # the whole balance may be spent
    assert balance(vg) == Decimal("0.00")


def test_it_refuses_a_back_dated_expense_that_would_overdraw_a_later_day(vg):
    post(vg, "500", day=datetime.date(2025, 1, 1))
    post(vg, "400", EXPENSE, day=datetime.date(2025, 5, 1))
    post(vg, "900", day=datetime.date(2025, 6, 1))  # balance now 1,000, but only 100 was left on 1 May
    with pytest.raises(ValidationError) as info:
        post(vg, "200", EXPENSE, day=datetime.date(2025, 2, 1))
    assert field_errors(info.value)["amount"][0].code == "overdraft"
    post(vg, "100", EXPENSE, day=datetime.date(2025, 2, 1))
    assert balance(vg) == Decimal("900.00")


def test_it_refuses_entries_dated_in_the_future_and_without_purpose(vg):
    with pytest.raises(ValidationError) as info:
        post(vg, "10", day=clock.today() + datetime.timedelta(days=2), purpose=" ")
    assert {"entry_date", "purpose"} <= set(field_errors(info.value))


@pytest.mark.parametrize(
    ("direction", "category"),
    [(EXPENSE, Cat.CONTRACTING), (INCOME, Cat.CONSTRUCTION), (INCOME, Cat.DISTRIBUTION), (INCOME, "bogus")],
)
def test_it_refuses_a_category_that_goes_the_other_way(vg, direction, category):
    post(vg, "5000")
    with pytest.raises(ValidationError) as info:
        post(vg, "10", direction, category=category)
    assert "category" in field_errors(info.value)
    assert FundEntry.objects.filter(villager_group=vg).count() == 1


# --- the threshold and distributions ----------------------------------------------------------------------------


def test_an_expense_up_to_the_threshold_needs_no_decision_and_above_it_does(vg):
    post(vg, "5000")
    post(vg, "1000.00", EXPENSE)  # "above" 1,000: exactly 1,000 is not above
    with pytest.raises(ValidationError) as info:
        post(vg, "1000.01", EXPENSE)
    assert "decision" in field_errors(info.value)
    post(vg, "1000.01", EXPENSE, decision=meeting(vg))
    assert balance(vg) == Decimal("2999.99")


def test_the_threshold_is_the_townships_setting(org, vg):
    org.ta.fund_decision_threshold = Decimal("300.00")
    org.ta.save()
    post(vg, "5000")
    with pytest.raises(ValidationError) as info:
        post(vg, "300.01", EXPENSE)
    assert "decision" in field_errors(info.value)


def test_every_distribution_needs_a_decision_however_small(vg):
    post(vg, "5000")
    with pytest.raises(ValidationError) as info:
        post(vg, "10.00", EXPENSE, category=Cat.DISTRIBUTION)
    assert "decision" in field_errors(info.value)
    entry = post(vg, "10.00", EXPENSE, category=Cat.DISTRIBUTION, decision=meeting(vg))
    assert entry.decision is not None


def test_a_decision_of_another_villager_group_cannot_be_cited(org, vg):
    post(vg, "5000")
    other = meeting(org.a1_vgs[1])
    with pytest.raises(ValidationError) as info:
        post(vg, "2000", EXPENSE, category=Cat.CONSTRUCTION, decision=other)
    assert "decision" in field_errors(info.value)
    assert balance(vg) == Decimal("5000.00")


def test_a_decision_taken_after_the_entry_date_cannot_be_cited(vg):
    post(vg, "5000")
    later = meeting(vg, day=DAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as info:
        post(vg, "2000", EXPENSE, category=Cat.CONSTRUCTION, decision=later)
    assert "decision" in field_errors(info.value)


def test_a_decision_without_quorum_cannot_be_cited_and_the_message_says_why(vg):
    post(vg, "5000")
    weak = meeting(vg, entitled=45, present=29, votes=29)  # 2/3 of 45 is 30
    with translation.override("en"), pytest.raises(ValidationError) as info:
        post(vg, "2000", EXPENSE, category=Cat.CONSTRUCTION, decision=weak)
    message = field_errors(info.value)["decision"][0].messages[0]
    assert "29 of 45 households" in message
    assert "2/3" in message and "30" in message
    assert balance(vg) == Decimal("5000.00")


# --- quorum and majority ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "valid"),
    [(30, 20, True), (30, 19, False), (31, 21, True), (31, 20, False), (3, 2, True), (1, 1, True), (5, 0, False)],
)
def test_the_quorum_is_at_least_two_thirds_of_those_entitled(vg, entitled, present, valid):
    d = meeting(vg, entitled=entitled, present=present, votes=present)
    assert (not decision_check(d)) is valid


def test_the_quorum_needed_is_computed_exactly():
    assert quorum_needed(30, Fraction(2, 3)) == 20
    assert quorum_needed(31, Fraction(2, 3)) == 21
    assert quorum_needed(45, Fraction(2, 3)) == 30
    assert quorum_needed(10, Fraction(3, 4)) == 8


@pytest.mark.parametrize(
    ("present", "votes", "valid"), [(20, 11, True), (20, 10, False), (21, 11, True), (21, 10, False)]
)
def test_the_majority_is_more_than_half_of_those_present(vg, present, votes, valid):
    d = meeting(vg, entitled=30, present=present, votes=votes)
    assert (not decision_check(d)) is valid


def test_the_quorum_is_the_townships_setting(org, vg):
    org.ta.meeting_quorum_numerator, org.ta.meeting_quorum_denominator = 3, 4
    org.ta.save()
    vg = VillagerGroup.objects.select_related("village__township").get(pk=vg.pk)
    d = meeting(vg, entitled=30, present=22, votes=22)
    assert decision_check(d)
    d23 = meeting(vg, entitled=30, present=23, votes=23)
    assert not decision_check(d23)


def test_the_quorum_message_names_adults_or_households(vg):
    with translation.override("en"):
        households = decision_check(meeting(vg, entitled=60, present=30, votes=30))
        adults = decision_check(meeting(vg, entitled=60, present=30, votes=30, basis="adults"))
    assert "households" in households[0]
    assert "adult villagers" in adults[0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"present": 31}, "present"),
        ({"votes": 26}, "votes_for"),
        ({"entitled": 0, "present": 0, "votes": 0}, "entitled"),
        ({"day": clock.today() + datetime.timedelta(days=1)}, "held_on"),
    ],
)
def test_an_impossible_meeting_is_refused_on_its_field(vg, changes, field):
    with pytest.raises(ValidationError) as info:
        meeting(vg, **changes)
    assert field in field_errors(info.value)
    assert not MeetingDecision.objects.exists()


def test_a_result_cannot_be_publicised_before_the_meeting(vg):
    with pytest.raises(ValidationError) as info:
        decision_record(
            villager_group=vg,
            held_on=DAY,
            subject="x",
            basis="households",
            entitled=10,
            present=10,
            votes_for=10,
            publicised_on=DAY - datetime.timedelta(days=1),
            acting_user=None,
        )
    assert "publicised_on" in field_errors(info.value)


def test_a_failed_meeting_is_recorded_as_it_was(vg, secretary_a1):
    d = decision_record(
        villager_group=vg,
        held_on=DAY,
        subject="是否平均分配",
        basis="households",
        entitled=40,
        present=20,
        votes_for=5,
        acting_user=secretary_a1,
    )
    assert d.recorded_by == secretary_a1
    assert len(decision_check(d)) == 2


# --- reversals --------------------------------------------------------------------------------------------------


def test_a_reversal_posts_the_opposite_entry_pointing_at_the_original(org, vg, secretary_a1):
    post(vg, "1000")
    mistake = post(vg, "350.00", EXPENSE)
    reversal = fund_entry_reverse(
        entry=mistake, entry_date=DAY + datetime.timedelta(days=3), reason="重复记账", acting_user=secretary_a1
    )
    assert reversal.direction == INCOME
    assert reversal.amount == Decimal("350.00")
    assert reversal.category == mistake.category
    assert reversal.reverses == mistake
    assert reversal.purpose == "重复记账"
    assert reversal.party_group == org.a1_g1
    mistake.refresh_from_db()
    assert mistake.reversed_by == reversal
    assert mistake.amount == Decimal("350.00")  # the original stays as it was
    assert balance(vg) == Decimal("1000.00")


def test_an_entry_is_reversed_once_only(vg):
    post(vg, "1000")
    mistake = post(vg, "350.00", EXPENSE)
    fund_entry_reverse(entry=mistake, entry_date=DAY, reason="重复", acting_user=None)
    with pytest.raises(ValidationError) as info:
        fund_entry_reverse(entry=mistake, entry_date=DAY, reason="再来一次", acting_user=None)
    assert info.value.code == "already_reversed"
    assert FundEntry.objects.filter(villager_group=vg).count() == 3
    assert balance(vg) == Decimal("1000.00")


def test_a_reversal_cannot_itself_be_reversed(vg):
    post(vg, "1000")
    reversal = fund_entry_reverse(entry=post(vg, "10", EXPENSE), entry_date=DAY, reason="错", acting_user=None)
    with pytest.raises(ValidationError) as info:
        fund_entry_reverse(entry=reversal, entry_date=DAY, reason="错上加错", acting_user=None)
    assert info.value.code == "reversal_of_reversal"
    assert FundEntry.objects.filter(villager_group=vg).count() == 3


def test_reversing_an_income_already_spent_is_refused_with_the_balance(vg):
    income = post(vg, "1000")
    post(vg, "900", EXPENSE)
    with translation.override("en"), pytest.raises(ValidationError) as info:
        fund_entry_reverse(entry=income, entry_date=DAY, reason="记错了", acting_user=None)
    assert info.value.code == "overdraft"
    assert "100.00" in info.value.messages[0]
    assert FundEntry.objects.filter(villager_group=vg).count() == 2


def test_a_reversal_needs_a_reason_and_a_date_not_before_the_original(vg):
    mistake = post(vg, "10")
    with pytest.raises(ValidationError) as info:
        fund_entry_reverse(entry=mistake, entry_date=DAY - datetime.timedelta(days=1), reason="  ", acting_user=None)
    assert {"entry_date", "reason"} <= set(field_errors(info.value))
    assert FundEntry.objects.count() == 1


def test_a_reversed_distribution_keeps_citing_its_decision(vg):
    post(vg, "5000")
    decision = meeting(vg)
    share = post(vg, "3000", EXPENSE, category=Cat.DISTRIBUTION, decision=decision)
    reversal = fund_entry_reverse(entry=share, entry_date=DAY, reason="分配方案重议", acting_user=None)
    assert reversal.decision == decision
    assert reversal.category == Cat.DISTRIBUTION


# --- balances ---------------------------------------------------------------------------------------------------


def test_the_balance_as_of_a_day_counts_entries_up_to_that_day(vg):
    post(vg, "100", day=datetime.date(2025, 1, 1))
    post(vg, "30", EXPENSE, day=datetime.date(2025, 2, 1))
    post(vg, "7.5", day=datetime.date(2025, 3, 1))
    assert balance(vg, datetime.date(2024, 12, 31)) == Decimal("0.00")
    assert balance(vg, datetime.date(2025, 2, 1)) == Decimal("70.00")
    assert balance(vg) == Decimal("77.50")


def test_balances_of_many_villager_groups_take_one_query(org, django_assert_num_queries):
    a, b, c = org.a1_vgs[:3]
    post(a, "100.10")
    post(a, "0.10", EXPENSE)
    post(b, "5")
    groups = VillagerGroup.objects.filter(pk__in=[a.pk, b.pk, c.pk])
    with django_assert_num_queries(1):
        result = balances(groups)
    assert result == {a.pk: Decimal("100.00"), b.pk: Decimal("5.00"), c.pk: Decimal("0.00")}
    with django_assert_num_queries(1):
        rows = {g.pk: (g.balance, g.entry_count) for g in with_balances(groups, as_of=DAY - datetime.timedelta(1))}
    assert rows[a.pk] == (Decimal("0.00"), 0)


# --- two people posting at once (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections to PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_expenses_cannot_together_overdraw_the_fund():
    """Expense A locks the ledger and holds its transaction open; expense B, started meanwhile, must wait for A and
    then see the balance A left. Without the lock B would read the old balance and both would be posted."""
    township = TownshipFactory()
    village = VillageFactory(township=township)
    vg = VillagerGroupFactory(village=village)
    group = PartyGroupFactory(village=village)
    coverage_assign(party_group=group, villager_group=vg, started_on=datetime.date(2024, 1, 1))
    post(vg, "1000.00")

    a_posted = threading.Event()
    results: dict[str, str] = {}

    def expense(name: str, hold: bool) -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                post(vg, "700.00", EXPENSE, purpose=name)
                if hold:
                    a_posted.set()
                    threading.Event().wait(1.0)  # B tries to post while A's transaction is still open
            results[name] = "posted"
        except ValidationError as exc:
            results[name] = exc.error_dict["amount"][0].code
        finally:
            a_posted.set()
            connections.close_all()

    first = threading.Thread(target=expense, args=("A", True))
    first.start()
    assert a_posted.wait(10)
    second = threading.Thread(target=expense, args=("B", False))
    second.start()
    first.join(20)
    second.join(20)
    assert results == {"A": "posted", "B": "overdraft"}
    assert list(FundEntry.objects.filter(direction=EXPENSE).values_list("purpose", flat=True)) == ["A"]
    assert balance(vg) == Decimal("300.00")


# --- the balance kept per villager group ---------------------------------------------------------------------------


def test_the_stored_balance_follows_every_posting_and_reversal(vg, org):
    other = org.a1_vgs[1]
    post(vg, "500.00")
    post(other, "70.00")
    mistake = post(vg, "120.50", EXPENSE)
    post(vg, "0.25", EXPENSE, day=DAY + datetime.timedelta(days=1))
    fund_entry_reverse(entry=mistake, entry_date=DAY + datetime.timedelta(days=2), reason="记错", acting_user=None)
    vg.refresh_from_db()
    other.refresh_from_db()
    assert vg.fund_balance == balance(vg) == Decimal("499.75")
    assert other.fund_balance == Decimal("70.00")


def test_a_refused_expense_leaves_the_stored_balance_alone(vg):
    post(vg, "100.00")
    with pytest.raises(ValidationError):
        post(vg, "100.01", EXPENSE)
    vg.refresh_from_db()
    assert vg.fund_balance == Decimal("100.00")


def test_entries_written_past_the_service_still_move_the_stored_balance(vg, org):
    post(vg, "300.00")
    post(vg, "45.60", EXPENSE)
    # as a bulk load does (seed_scale's COPY): the database adds the entries to the balance itself
    FundEntry.objects.bulk_create(
        [FundEntry(villager_group=vg, entry_date=DAY, direction=INCOME, amount=Decimal("10.00"), category=Cat.OTHER,
                   purpose="批量")]
    )
    vg.refresh_from_db()
    assert vg.fund_balance == Decimal("264.40")
    assert recount_fund_balances() == VillagerGroup.objects.count()  # recomputing finds the same balances
    vg.refresh_from_db()
    assert vg.fund_balance == Decimal("264.40")
    assert VillagerGroup.objects.exclude(pk=vg.pk).filter(fund_balance__gt=0).count() == 0
