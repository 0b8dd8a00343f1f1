"""Writing the dues book: assessments, payments (receipts), reversals, remittances and the township's receipt of them.

Each service is keyword-only, checks the capability table itself, runs in one transaction and names the acting user.
Every write to a branch's book first locks its `DuesBook` row (`select_for_update`), the way the fund ledger locks
its villager group: two people recording the same payment at once are served one after the other, and the second
finds the month already paid. The book's balance is changed under that lock and may never go below zero (a database
constraint). Bad input is refused with a message for the field that is wrong, and nothing is saved.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Sum
from django.db.models.functions import Round

from core import clock, periods
from core.stamp import stamp, user_or_none
from core.words import day_cn, month_cn
from dues import rules
from dues.models import (
    BASED,
    Assessment,
    Category,
    DuesBook,
    Excuse,
    Frequency,
    Line,
    Payment,
    Remittance,
    RemittanceReceipt,
    TownshipDuesRule,
)
from dues.selectors import (
    cents,
    dues_for,
    group_of,
    is_member_in,
    member_months,
    period_label,
    period_of,
    remitted_period,
    schedule_for,
    yuan,
)
from township.capabilities import require

ZERO = rules.ZERO
CENT = rules.CENT
MAX_BASE = Decimal("1000000.00")  # a monthly income above a million yuan is a typing mistake
MAX_PAYMENT = Decimal("100000.00")  # one receipt above 100,000 yuan is a typing mistake
MAX_MONTHS = 24
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$", re.ASCII)  # no sign, no exponent, no NaN


def _money(value, field: str, *, allow_zero: bool, limit: Decimal, what: str) -> Decimal:
    """An exact, non-negative yuan amount of two places; anything else is refused beside `field`."""
    if value is None or value == "":
        value = ZERO
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise ValidationError({field: f"{what}请填数字，例如 12 或 12.50。"})
    if isinstance(value, str) and not _PLAIN.match(value.strip()):
        if value.strip().startswith(("-", "−")) and _PLAIN.match(value.strip()[1:]):
            raise ValidationError({field: f"{what}不能是负数：请去掉负号；交错了的收据用“冲销”更正。"})
        raise ValidationError({field: f"{what}请填数字，例如 12 或 12.50。"})
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValidationError({field: f"{what}请填数字，例如 12 或 12.50。"}) from None
    if not amount.is_finite():
        raise ValidationError({field: f"{what}请填数字，例如 12 或 12.50。"})
    if amount < 0:
        raise ValidationError({field: f"{what}不能是负数：请去掉负号；交错了的收据用“冲销”更正。"})
    if amount == 0 and not allow_zero:
        raise ValidationError({field: f"{what}必须大于零。"})
    if amount != amount.quantize(CENT):
        raise ValidationError({field: f"{what}最多两位小数（到分）。"})
    if amount > limit:
        raise ValidationError({field: f"{what}超过 {yuan(limit)} 元，不合常理：请核对。"})
    return amount.quantize(CENT)


def _locked_book(village) -> DuesBook:
    """The branch's book row, created on first use, locked for this transaction."""
    DuesBook.objects.get_or_create(village_id=village.pk)
    return DuesBook.objects.select_for_update().get(village_id=village.pk)


def _add_to_balance(book: DuesBook, amount: Decimal, field: str | None = None) -> None:
    try:
        with transaction.atomic():
            # rounded to the fen in the statement: SQLite (`make run`) adds decimals as floating point, and
            # 0.70 + 0.10 − 0.80 came out a hair below zero there (PostgreSQL's numeric is exact either way)
            DuesBook.objects.filter(pk=book.pk).update(balance=Round(F("balance") + amount, 2))
    except IntegrityError:  # dues_book_balance_not_negative
        message = f"党费账余额只有 {yuan(book.balance)} 元，不够冲减 {yuan(-amount)} 元（已上缴的部分不能再冲减）。"
        raise ValidationError({field: message} if field else message) from None


# --- assessment -------------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_set(*, member, year: int, category: str, base=None, note: str = "", acting_user) -> Assessment:
    """Set (or change) a member's category and base for a year; the history keeps who set what, and when."""
    require(acting_user, "dues.write", member)
    errors: dict[str, str] = {}
    if category not in Category.values:
        errors["category"] = "请选择党费类别。"
    if not isinstance(year, int) or not 2000 <= year <= clock.this_year() + 1:
        errors["year"] = f"年度应在2000年到{clock.this_year() + 1}年之间。"
    elif member.joined_on.year > year or (member.left_on and member.left_on.year < year):
        errors["year"] = f"{member.name}在{year}年不是本支部党员（{month_cn(member.joined_on)}入党）。"
    if category in BASED:
        if base in (None, ""):
            label = "税后月工资收入" if category == Category.EMPLOYED else "月离退休费"
            errors["base"] = f"{Category(category).label}党员要填{label}（元）。"
        else:
            try:
                base = _money(base, "base", allow_zero=True, limit=MAX_BASE, what="月收入")
            except ValidationError as exc:
                errors.update({k: v[0].messages[0] for k, v in exc.error_dict.items()})
    elif base not in (None, "") and category in Category.values:
        errors["base"] = f"“{Category(category).label}”按固定标准交纳，不按收入计算：基数一栏请留空。"
    if errors:
        raise ValidationError(errors)
    assessment = Assessment.objects.select_for_update().filter(member=member, year=year).first()
    if assessment is None:
        assessment = Assessment(member=member, year=year)
    assessment.category = category
    assessment.base = base if category in BASED else None
    assessment.note = (note or "").strip()
    assessment.set_by = user_or_none(acting_user)
    assessment.set_at = clock.now()
    assessment.full_clean()
    stamp(assessment, acting_user).save()
    return assessment


# --- payments ---------------------------------------------------------------------------------------------------


def _next_receipt(village_id: int, year: int) -> int:
    """The next receipt number of the branch's year (the caller holds the book's lock)."""
    last = Payment.objects.filter(village_id=village_id, receipt_year=year).aggregate(n=Max("receipt_seq"))["n"]
    return (last or 0) + 1


def _refuse_remitted_day(village_id: int, day: datetime.date, field: str) -> None:
    r = remitted_period(village_id, day)
    if r is not None:
        raise ValidationError(
            {
                field: f"{period_label(r.period_start, r.months)}的党费已于{day_cn(r.remitted_on)}上缴乡党委，"
                f"不能再记入该期：请按实际收款日期（本期）登记。"
            }
        )


@transaction.atomic
def payment_record(
    *,
    village,
    member,
    first_month: datetime.date,
    months: int = 1,
    amount=ZERO,
    voluntary=ZERO,
    paid_on: datetime.date,
    received_by: str,
    acting_user,
) -> Payment:
    """Record what a member paid, for `months` months from `first_month` (advance payment, or arrears paid late
    against the months they belong to). `amount` pays the assessed dues, earliest month first, and may not exceed
    what is still owed; `voluntary` is a voluntary extra (自愿多交), kept apart. One receipt number per payment.

    The branch (`dues.write`) records for any of its members; a party-group leader (`dues.collect`) only for the
    members of their own group."""
    if acting_user is not None and not acting_user.has_perm("dues.write", village):
        group = group_of(member)
        if group is None or group.village_id != village.pk:
            raise PermissionDenied
        require(acting_user, "dues.collect", group)
    today = clock.today()
    amount = _money(amount, "amount", allow_zero=True, limit=MAX_PAYMENT, what="金额")
    voluntary = _money(voluntary, "voluntary", allow_zero=True, limit=MAX_PAYMENT, what="自愿多交金额")
    errors: dict[str, str] = {}
    if amount == 0 and voluntary == 0:
        errors["amount"] = "请填本次交纳的金额。"
    if member.village_id != village.pk:
        errors["member"] = f"{member.name}不是{village.name}党支部的党员：只能登记本支部党员的党费。"
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        errors["months"] = f"一次可交1到{MAX_MONTHS}个月。"
    if paid_on > today:
        errors["paid_on"] = "交纳日期不能晚于今天。"
    if not (received_by or "").strip():
        errors["received_by"] = "请填收款人（党小组长或支部书记）。"
    if errors:
        raise ValidationError(errors)
    first_month = periods.month_of(first_month)
    month_list = [periods.add_months(first_month, k) for k in range(months)]
    joined, left = member_months(member)
    if first_month < joined:
        errors["first_month"] = f"{member.name}于{day_cn(member.joined_on)}入党，{month_cn(joined)}起才交纳党费。"
    elif left is not None and month_list[-1] > left:
        errors["months"] = f"{member.name}已于{day_cn(member.left_on)}离开本支部，只能交到{month_cn(left)}。"
    elif month_list[-1] > periods.add_months(periods.month_of(today), 12):
        errors["months"] = "预交最多交到一年以后的月份。"
    elif suspended := [m for m in month_list if not is_member_in(member, m)]:
        shown = "、".join(f"{m.year}年{m.month}月" for m in suspended)
        errors["months"] = f"{member.name}{shown}党籍停止，不交纳党费；请只登记其余月份。"
    if errors:
        raise ValidationError(errors)
    book = _locked_book(village)
    _refuse_remitted_day(village.pk, paid_on, "paid_on")
    schedule = schedule_for(village.township_id)
    dues = dues_for([member], month_list[0], month_list[-1], schedule)
    missing = sorted({m.year for m in month_list if dues.due.get((member.pk, m)) is None})
    if amount > 0 and missing:
        years = "、".join(f"{y}年" for y in missing)
        raise ValidationError({"first_month": f"{member.name}{years}的党费基数尚未核定：请先核定，再登记交纳。"})
    owed = [(m, dues.outstanding(member.pk, m) or ZERO) for m in month_list]
    total_owed = sum((o for _m, o in owed), ZERO)
    if amount > total_owed:
        span = _span(month_list)
        if total_owed == 0:
            errors["amount"] = f"{span}的党费已经交清。如果是自愿多交，请把金额填在“自愿多交”一栏，应交金额填0。"
        else:
            errors["amount"] = (
                f"{span}还应交 {yuan(total_owed)} 元，本次填了 {yuan(amount)} 元。"
                f"多出的 {yuan(amount - total_owed)} 元如果是自愿多交，请填在“自愿多交”一栏。"
            )
        raise ValidationError(errors)
    payment = Payment(
        village=village,
        member=member,
        receipt_year=paid_on.year,
        receipt_seq=_next_receipt(village.pk, paid_on.year),
        paid_on=paid_on,
        received_by=received_by.strip(),
        recorded_by=user_or_none(acting_user),
    )
    stamp(payment, acting_user).save()
    lines, left_to_place = [], amount
    for month, outstanding in owed:
        part = min(outstanding, left_to_place)
        if part > 0:
            lines.append(_line(payment, month, Line.Kind.ASSESSED, part))
            left_to_place -= part
    if voluntary > 0:
        lines.append(_line(payment, month_list[0], Line.Kind.VOLUNTARY, voluntary))
    for line in lines:
        stamp(line, acting_user).save()
    _add_to_balance(book, amount + voluntary)
    return payment


def _line(payment: Payment, month: datetime.date, kind: str, amount: Decimal, *, reversal: bool = False) -> Line:
    return Line(
        payment=payment,
        village_id=payment.village_id,
        member_id=payment.member_id,
        month=month,
        paid_on=payment.paid_on,
        kind=kind,
        amount=amount,
        is_reversal=reversal,
    )


def _span(months: list[datetime.date]) -> str:
    if len(months) == 1:
        return f"{month_cn(months[0])}"
    return f"{month_cn(months[0])}至{month_cn(months[-1])}"


@transaction.atomic
def payment_reverse(*, payment: Payment, reason: str, acting_user, on: datetime.date | None = None) -> Payment:
    """Correct a mistaken receipt by a reversing one dated `on` (today), with the negatives of its lines."""
    require(acting_user, "dues.write", payment.village)
    on = on or clock.today()
    book = _locked_book(payment.village)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.reverses_id is not None:
        raise ValidationError("这张是冲销收据，不能再冲销；请重新登记一笔。", code="reversal_of_reversal")
    earlier = Payment.objects.filter(reverses=payment).first()
    if earlier is not None:
        raise ValidationError(
            f"这张收据已于{day_cn(earlier.paid_on)}冲销（冲销收据 {earlier.receipt_no}）。",
            code="already_reversed",
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": "请写明冲销原因，例如：重复登记。"})
    if on > clock.today() or on < payment.paid_on:
        raise ValidationError({"reason": "冲销日期不能早于原收据，也不能晚于今天。"})
    _refuse_remitted_day(payment.village_id, on, "reason")
    reversal = Payment(
        village_id=payment.village_id,
        member_id=payment.member_id,
        receipt_year=on.year,
        receipt_seq=_next_receipt(payment.village_id, on.year),
        paid_on=on,
        received_by=payment.received_by,
        reverses=payment,
        reason=reason.strip(),
        recorded_by=user_or_none(acting_user),
    )
    stamp(reversal, acting_user).save()
    total = ZERO
    for line in payment.lines.all():
        stamp(_line(reversal, line.month, line.kind, -line.amount, reversal=True), acting_user).save()
        total += line.amount
    _add_to_balance(book, -total, "reason")
    return reversal


# --- accepted reasons for not paying ----------------------------------------------------------------------------


@transaction.atomic
def excuse_record(*, member, first_month, last_month, reason: str, acting_user) -> Excuse:
    """The branch accepts a reason for months unpaid: they no longer count towards the six-month flag."""
    require(acting_user, "dues.write", member)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = "请写明理由，例如：在外务工，已联系，年底补交。"
    if last_month < first_month:
        errors["last_month"] = "截止月份不能早于起始月份。"
    if errors:
        raise ValidationError(errors)
    excuse = Excuse(
        member=member,
        first_month=periods.month_of(first_month),
        last_month=periods.month_of(last_month),
        reason=reason.strip(),
        accepted_by=user_or_none(acting_user),
    )
    stamp(excuse, acting_user).save()
    return excuse


# --- remittance -------------------------------------------------------------------------------------------------


@transaction.atomic
def remittance_record(*, village, period_start: datetime.date, remitted_on: datetime.date, acting_user) -> Remittance:
    """The branch remits to the township everything its book took in during one period (a month, or a quarter
    where the township collects quarterly): the amount is the book's, to the fen, never typed."""
    require(acting_user, "dues.write", village)
    today = clock.today()
    schedule = schedule_for(village.township_id)
    rule = schedule.township_rule_for(periods.month_of(period_start))
    start, months = period_of(period_start, rule.frequency)
    label = period_label(start, months)
    last_day = periods.month_end(periods.add_months(start, months - 1))
    if last_day >= today:
        raise ValidationError({"period_start": f"{label}还没有结束，期满后再上缴。"})
    if remitted_on > today:
        raise ValidationError({"remitted_on": "上缴日期不能晚于今天。"})
    if remitted_on <= last_day:
        raise ValidationError({"remitted_on": f"上缴日期应在{label}结束之后。"})
    book = _locked_book(village)
    existing = Remittance.objects.live().filter(village=village, period_start=start).first()
    if existing is not None:
        raise ValidationError(
            {"period_start": f"{label}的党费已于{day_cn(existing.remitted_on)}上缴（{yuan(existing.amount)} 元）。"}
        )
    collected = cents(
        Line.objects.filter(village=village, paid_on__gte=start, paid_on__lte=last_day).aggregate(t=Sum("amount"))["t"]
    )
    if collected <= 0:
        raise ValidationError({"period_start": f"{label}没有收到党费，无需上缴。"})
    remittance = Remittance(
        village=village,
        period_start=start,
        months=months,
        amount=collected,
        remitted_on=remitted_on,
        attempt=Remittance.objects.filter(village=village, period_start=start, reverses__isnull=True).count() + 1,
        recorded_by=user_or_none(acting_user),
    )
    remittance.full_clean()
    stamp(remittance, acting_user).save()
    _add_to_balance(book, -collected, "period_start")
    return remittance


@transaction.atomic
def remittance_receive(*, remittance: Remittance, received_on: datetime.date, acting_user) -> RemittanceReceipt:
    """The township records that it received a branch's remittance."""
    require(acting_user, "dues.receive", remittance.village.township)
    remittance = Remittance.objects.select_for_update().get(pk=remittance.pk)
    if RemittanceReceipt.objects.filter(remittance=remittance).exists():
        raise ValidationError("这笔上缴已登记收到。", code="already_received")
    if remittance.reverses_id is not None or Remittance.objects.filter(reverses=remittance).exists():
        raise ValidationError("这笔上缴已冲销，不能再确认收到；请等支部重新登记上缴。", code="reversed")
    if received_on > clock.today() or received_on < remittance.remitted_on:
        raise ValidationError({"received_on": "收到日期不能早于上缴日期，也不能晚于今天。"})
    receipt = RemittanceReceipt(remittance=remittance, received_on=received_on, received_by=user_or_none(acting_user))
    stamp(receipt, acting_user).save()
    return receipt


@transaction.atomic
def remittance_reverse(*, remittance: Remittance, reason: str, acting_user) -> Remittance:
    """Correct a remittance recorded wrongly (wrong period, not actually sent) by a reversal: a row of the same period
    with the negative amount, the reason, who and when; the amount goes back to the book's balance and the period
    may be remitted again. Once the township has confirmed receiving it, only the township may reverse it."""
    require(acting_user, "dues.write", remittance.village)
    book = _locked_book(remittance.village)
    remittance = Remittance.objects.select_for_update().select_related("village__township").get(pk=remittance.pk)
    if remittance.reverses_id is not None:
        raise ValidationError("这是一笔冲销，不能再冲销。", code="reversal_of_reversal")
    earlier = Remittance.objects.filter(reverses=remittance).first()
    if earlier is not None:
        raise ValidationError(
            f"这笔上缴已于{day_cn(clock.local_date(earlier.recorded_at))}冲销（原因：{earlier.reason}）。",
            code="already_reversed",
        )
    if RemittanceReceipt.objects.filter(remittance=remittance).exists():
        require(acting_user, "dues.receive", remittance.village.township)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请写明冲销原因，例如：所属期选错了，实际未上缴。"})
    reversal = Remittance(
        village_id=remittance.village_id,
        period_start=remittance.period_start,
        months=remittance.months,
        amount=-remittance.amount,
        remitted_on=clock.today(),
        attempt=remittance.attempt,
        reverses=remittance,
        reason=reason.strip(),
        recorded_by=user_or_none(acting_user),
    )
    reversal.full_clean()
    stamp(reversal, acting_user).save()
    _add_to_balance(book, remittance.amount, "reason")
    return reversal


# --- the township's settings ------------------------------------------------------------------------------------


@transaction.atomic
def township_rule_add(
    *, township, valid_from: datetime.date, farmer_amount, frequency: str, remit_due_day: int, acting_user
) -> TownshipDuesRule:
    """A dated change of the township's dues settings, in force from `valid_from` (the first of a month, not before
    next month): the months before it keep the rules they were assessed under."""
    require(acting_user, "dues.settings", township)
    valid_from = periods.month_of(valid_from)
    errors: dict[str, str] = {}
    next_month = periods.next_month(clock.this_month())
    if valid_from < next_month:
        errors["valid_from"] = f"过去和本月的党费按原标准计算，不能改动：起用月份最早填{month_cn(next_month)}。"
    else:
        before = schedule_for(township.pk).township_rule_for(periods.previous_month(valid_from))
        quarterly = Frequency.QUARTERLY in (frequency, before.frequency)
        if quarterly and valid_from.month not in (1, 4, 7, 10):
            errors["valid_from"] = "按季收缴时，改动从一个季度的第一个月起用：请填1月、4月、7月或10月。"
    range_error = "农牧渔民党员每月交纳0.2元至1元：请填0.20到1.00之间的金额。"
    try:
        farmer_amount = _money(farmer_amount, "farmer_amount", allow_zero=True, limit=MAX_PAYMENT, what="金额")
    except ValidationError as exc:
        errors.update({k: v[0].messages[0] for k, v in exc.error_dict.items()})
    else:
        if not Decimal("0.20") <= farmer_amount <= Decimal("1.00"):
            errors["farmer_amount"] = range_error
    if frequency not in Frequency.values:
        errors["frequency"] = "请选择按月或按季。"
    if not isinstance(remit_due_day, int) or not 1 <= remit_due_day <= 28:
        errors["remit_due_day"] = "上缴期限请填1到28之间的日子。"
    if errors:
        raise ValidationError(errors)
    rule = TownshipDuesRule(
        township=township,
        valid_from=valid_from,
        farmer_amount=farmer_amount,
        frequency=frequency,
        remit_due_day=remit_due_day,
    )
    rule.full_clean()
    stamp(rule, acting_user).save()
    return rule
