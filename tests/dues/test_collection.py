"""Assessments and payments: receipts, advance payment, arrears paid against their months, voluntary extras apart,
reversals, the stored balance, the append-only book, and every kind of bad input refused beside its field."""

from __future__ import annotations

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from dues.models import Assessment, DuesBook, Line, Payment
from dues.selectors import book_for
from dues.services import assessment_set, payment_record, payment_reverse
from tests.dues.conftest import YEAR, month, pay
from tests.factories import PartyMemberFactory, TownshipFactory, UserFactory, VillageFactory, assign

D = Decimal


def balance(village) -> Decimal:
    return DuesBook.objects.get(village=village).balance


def lines(member):
    return list(Line.objects.filter(member=member).order_by("pk").values_list("month", "kind", "amount"))


# --- assessment -------------------------------------------------------------------------------------------------


def test_an_assessment_keeps_who_set_it_and_when_and_its_changes(org, secretary_a1):
    m = org.a1_g1_members[0]
    a = assessment_set(member=m, year=YEAR, category="employed", base="4000", acting_user=secretary_a1)
    assert (a.set_by, a.base, a.set_at.date()) == (secretary_a1, D("4000.00"), datetime.date(2027, 6, 15))
    assessment_set(member=m, year=YEAR, category="retired", base="6000", acting_user=secretary_a1)
    a.refresh_from_db()
    assert (a.category, a.base) == ("retired", D("6000.00"))
    assert Assessment.objects.count() == 1 and a.history.count() == 2
    assert a.history.earliest().history_user == secretary_a1


@pytest.mark.parametrize(
    ("category", "base", "field", "words"),
    [
        ("employed", None, "base", "税后月工资收入"),
        ("retired", "", "base", "月离退休费"),
        ("farmer", "3000", "base", "基数一栏请留空"),
        ("employed", "-100", "base", "负数"),
        ("employed", "1e3", "base", "数字"),
        ("employed", "2000000", "base", "不合常理"),
        ("employed", "12.345", "base", "两位小数"),
        ("nobody", None, "category", "类别"),
    ],
)
def test_bad_assessments_are_refused_beside_the_field(org, category, base, field, words):
    with pytest.raises(ValidationError) as exc:
        assessment_set(member=org.a1_g1_members[0], year=YEAR, category=category, base=base, acting_user=None)
    assert words in " ".join(exc.value.message_dict[field])
    assert not Assessment.objects.exists()


def test_an_assessment_for_a_year_before_the_member_joined_is_refused(org):
    m = PartyMemberFactory(village=org.a1, joined_on=datetime.date(2027, 3, 5))
    with pytest.raises(ValidationError) as exc:
        assessment_set(member=m, year=2026, category="farmer", acting_user=None)
    assert "不是本支部党员" in exc.value.message_dict["year"][0]


def test_a_secretary_assesses_only_their_own_members(org, secretary_a2, county_viewer):
    for user in (secretary_a2, county_viewer):
        with pytest.raises(PermissionDenied):
            assessment_set(member=org.a1_g1_members[0], year=YEAR, category="farmer", acting_user=user)


# --- payments ---------------------------------------------------------------------------------------------------


def test_a_payment_gets_the_next_receipt_number_and_raises_the_balance(org, assessed):
    first = pay(assessed[0], month(6), "40")
    second = pay(assessed[1], month(6), "25")
    assert (first.receipt_no, second.receipt_no) == ("2027-0001", "2027-0002")
    assert lines(assessed[0]) == [(month(6), "assessed", D("40.00"))]
    assert balance(org.a1) == D("65.00")


def test_an_advance_payment_covers_each_of_its_months(org, assessed):
    pay(assessed[0], month(7), "240", months=6)
    assert lines(assessed[0]) == [(month(m), "assessed", D("40.00")) for m in range(7, 13)]


def test_arrears_paid_later_go_against_the_months_they_belong_to(org, assessed):
    pay(assessed[0], month(1), "120", months=3, day=datetime.date(2027, 6, 12))
    assert [m for m, _k, _a in lines(assessed[0])] == [month(1), month(2), month(3)]
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == assessed[0])
    assert [c.state for c in row.cells[:4]] == ["paid", "paid", "paid", "unpaid"]


def test_a_part_payment_fills_the_earliest_months_first(org, assessed):
    pay(assessed[0], month(1), "50", months=2)
    assert lines(assessed[0]) == [(month(1), "assessed", D("40.00")), (month(2), "assessed", D("10.00"))]
    pay(assessed[0], month(2), "30")  # the rest of February
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == assessed[0])
    assert row.cells[1].state == "paid" and row.paid_total == D("80.00")


def test_a_voluntary_extra_is_recorded_apart_from_the_assessed_dues(org, assessed):
    pay(assessed[2], month(6), "0.20", voluntary="100")
    assert lines(assessed[2]) == [(month(6), "assessed", D("0.20")), (month(6), "voluntary", D("100.00"))]
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == assessed[2])
    assert (row.paid_total, row.voluntary_total) == (D("0.20"), D("100.00"))
    assert balance(org.a1) == D("100.20")


def test_a_second_payment_for_a_paid_month_is_refused_unless_voluntary(org, assessed):
    pay(assessed[0], month(6), "40")
    with pytest.raises(ValidationError) as exc:
        pay(assessed[0], month(6), "40")
    assert "已经交清" in exc.value.message_dict["amount"][0] and "自愿多交" in exc.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as exc:
        pay(assessed[0], month(6), "80", months=2)  # June paid, July owes 40
    assert "还应交 40.00 元" in exc.value.message_dict["amount"][0]
    assert Payment.objects.count() == 1 and balance(org.a1) == D("40.00")
    pay(assessed[0], month(6), "0", voluntary="10")
    assert balance(org.a1) == D("50.00")


@pytest.mark.parametrize(
    ("amount", "voluntary", "field", "words"),
    [
        ("-40", "0", "amount", "负数"),
        ("40", "-1", "voluntary", "负数"),
        ("0", "0", "amount", "请填本次交纳的金额"),
        ("0.001", "0", "amount", "两位小数"),
        ("0", "999999999", "voluntary", "不合常理"),
        ("NaN", "0", "amount", "数字"),
    ],
)
def test_negative_or_absurd_amounts_are_refused_and_nothing_is_saved(org, assessed, amount, voluntary, field, words):
    with pytest.raises(ValidationError) as exc:
        payment_record(
            village=org.a1,
            member=assessed[0],
            first_month=month(6),
            amount=amount,
            voluntary=voluntary,
            paid_on=datetime.date(2027, 6, 10),
            received_by="谢明德",
            acting_user=None,
        )
    assert words in exc.value.message_dict[field][0]
    assert not Payment.objects.exists() and not Line.objects.exists()


def test_a_float_amount_is_refused(org, assessed):
    with pytest.raises(ValidationError):
        payment_record(
            village=org.a1,
            member=assessed[0],
            first_month=month(6),
            amount=40.0,
            paid_on=datetime.date(2027, 6, 10),
            received_by="谢明德",
            acting_user=None,
        )


def test_a_payment_for_a_member_of_another_branch_is_refused(org, assessed):
    with pytest.raises(ValidationError) as exc:
        payment_record(
            village=org.a1,
            member=assessed[-1],  # 井阳党员1, of village A2
            first_month=month(6),
            amount=D("0.20"),
            paid_on=datetime.date(2027, 6, 10),
            received_by="谢明德",
            acting_user=None,
        )
    assert "不是罗紫村党支部的党员" in exc.value.message_dict["member"][0]
    assert not Payment.objects.exists()


def test_months_before_joining_or_after_leaving_are_refused(org):
    newcomer = PartyMemberFactory(village=org.a1, joined_on=datetime.date(2027, 3, 5))
    leaver = PartyMemberFactory(village=org.a1, left_on=datetime.date(2027, 4, 20))
    for m in (newcomer, leaver):
        assessment_set(member=m, year=YEAR, category="farmer", acting_user=None)
    with pytest.raises(ValidationError) as exc:
        pay(newcomer, month(2), "0.20")
    assert "2027年3月起才交纳党费" in exc.value.message_dict["first_month"][0]
    pay(newcomer, month(3), "0.20")  # the month of joining is owed (probationary members pay too)
    with pytest.raises(ValidationError) as exc:
        pay(leaver, month(4), "0.40", months=2)
    assert "只能交到2027年4月" in exc.value.message_dict["months"][0]
    pay(leaver, month(4), "0.20")
    assert Payment.objects.count() == 2


def test_a_month_of_a_year_not_yet_assessed_is_refused(org, assessed):
    with pytest.raises(ValidationError) as exc:
        pay(assessed[0], month(12), "80", months=2)  # December 2027 and January 2028
    assert "2028年的党费基数尚未核定" in exc.value.message_dict["first_month"][0]


def test_an_exempt_member_owes_nothing_and_may_still_give_voluntarily(org):
    m = org.a1_g2_members[0]
    assessment_set(member=m, year=YEAR, category="exempt", note="支委会2027年1月决定", acting_user=None)
    with pytest.raises(ValidationError):
        pay(m, month(6), "0.20")
    pay(m, month(6), "0", voluntary="5")
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == m)
    assert row.cells[0].state == "paid" and row.due_total == D("0.00")


def test_a_future_payment_date_or_no_collector_is_refused(org, assessed):
    with pytest.raises(ValidationError) as exc:
        pay(assessed[0], month(6), "40", day=datetime.date(2027, 6, 16))
    assert "paid_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        payment_record(
            village=org.a1,
            member=assessed[0],
            first_month=month(6),
            amount=D("40"),
            paid_on=datetime.date(2027, 6, 1),
            received_by=" ",
            acting_user=None,
        )
    assert "收款人" in exc.value.message_dict["received_by"][0]


def test_only_the_branch_and_the_township_record_payments(org, assessed, secretary_a1, secretary_a2, county_viewer):
    pay(assessed[0], month(6), "40", user=secretary_a1)
    for user in (secretary_a2, county_viewer):
        with pytest.raises(PermissionDenied):
            pay(assessed[0], month(7), "40", user=user)
    assert Payment.objects.count() == 1


# --- reversal and the append-only book --------------------------------------------------------------------------


def test_a_reversal_negates_each_line_and_the_month_is_owed_again(org, assessed, secretary_a1):
    original = pay(assessed[0], month(5), "80", months=2, voluntary="3")
    reversal = payment_reverse(payment=original, reason="重复登记", acting_user=secretary_a1)
    assert reversal.receipt_no == "2027-0002" and reversal.reverses == original
    assert sorted(reversal.lines.values_list("amount", flat=True)) == [D("-40.00"), D("-40.00"), D("-3.00")]
    assert balance(org.a1) == D("0.00")
    row = next(r for r in book_for(org.a1, YEAR).rows if r.member == assessed[0])
    assert row.cells[4].state == "unpaid" and row.paid_total == D("0.00")
    with pytest.raises(ValidationError, match="已于"):
        payment_reverse(payment=original, reason="再来", acting_user=secretary_a1)
    with pytest.raises(ValidationError, match="冲销收据"):
        payment_reverse(payment=reversal, reason="再来", acting_user=secretary_a1)
    with pytest.raises(ValidationError) as exc:
        payment_reverse(payment=pay(assessed[1], month(6), "25"), reason=" ", acting_user=secretary_a1)
    assert "冲销原因" in exc.value.message_dict["reason"][0]


def test_the_book_refuses_edits_and_deletes_in_the_database(org, assessed):
    payment = pay(assessed[0], month(6), "40")
    line = payment.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).update(amount=D("4.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(received_by="别人")
    with pytest.raises(IntegrityError), transaction.atomic():
        line.history.all().update(amount=D("1.00"))
    assert Line.objects.get().amount == D("40.00")


def test_the_balance_cannot_go_below_zero_in_the_database(org, assessed):
    pay(assessed[0], month(6), "40")
    with pytest.raises(IntegrityError), transaction.atomic():
        DuesBook.objects.filter(village=org.a1).update(balance=D("-0.01"))


def test_a_negative_line_that_is_not_a_reversal_is_refused_by_the_database(org, assessed):
    payment = pay(assessed[0], month(6), "40")
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.create(
            payment=payment,
            village=org.a1,
            member=assessed[0],
            month=month(7),
            paid_on=payment.paid_on,
            kind="assessed",
            amount=D("-5.00"),
        )


# --- two people recording the same payment at once (PostgreSQL) --------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections to PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_recording_the_same_payment_at_once_one_wins():
    """A locks the branch's book and holds its transaction open; B, started meanwhile, waits for the lock and then
    finds the month paid. Without the lock both would read "unpaid" and the month would be paid twice."""
    village = VillageFactory(township=TownshipFactory())
    member = PartyMemberFactory(village=village)
    assessment_set(member=member, year=YEAR, category="employed", base=D("4000"), acting_user=None)
    user = UserFactory(username="zhibu")
    assign(user, "branch_secretary", village=village)
    a_recorded = threading.Event()
    results: dict[str, str] = {}

    def record(name: str, hold: bool) -> None:
        try:
            with transaction.atomic():
                pay(member, month(6), "40", user=user)
                if hold:
                    a_recorded.set()
                    threading.Event().wait(1.0)
            results[name] = "recorded"
        except ValidationError as exc:
            results[name] = exc.message_dict["amount"][0]
        finally:
            a_recorded.set()
            connections.close_all()

    first = threading.Thread(target=record, args=("A", True))
    first.start()
    assert a_recorded.wait(10)
    second = threading.Thread(target=record, args=("B", False))
    second.start()
    first.join(20)
    second.join(20)
    assert results["A"] == "recorded" and "已经交清" in results["B"]
    assert Payment.objects.count() == 1
    assert DuesBook.objects.get(village=village).balance == D("40.00")


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_dues_book_and_the_guard_comes_back(org, assessed):
    from django.core.management import call_command

    pay(assessed[0], month(6), "40")
    call_command("flush", interactive=False, verbosity=0)
    assert not Line.objects.exists() and not Payment.objects.exists()
    village = VillageFactory(township=TownshipFactory())
    member = PartyMemberFactory(village=village)
    assessment_set(member=member, year=YEAR, category="farmer", acting_user=None)
    line = pay(member, month(6), "0.20").lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Line.objects.filter(pk=line.pk).delete()


def test_the_books_balance_is_kept_to_the_fen_when_amounts_do_not_add_up_in_floating_point(org):
    """SQLite (`make run`) adds decimals as floating point: 0.70 + 0.10 is 0.7999999999999999 there, and taking the
    0.80 remitted off it went below zero and broke the balance's check. The balance is rounded to the fen as it is
    moved, on every database."""
    from dues.services import _add_to_balance, _locked_book

    with transaction.atomic():
        book = _locked_book(org.a1)
        for amount in ("0.70", "0.10", "-0.80", "0.10", "0.20", "-0.30", "1.10", "2.20"):
            _add_to_balance(book, Decimal(amount))
    assert balance(org.a1) == Decimal("3.30")
    assert DuesBook.objects.filter(village=org.a1, balance=Decimal("3.30")).exists()  # stored exactly, not 3.3000…04
