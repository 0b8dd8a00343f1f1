"""The villager groups' collective-fund ledgers (村民小组集体经费): meeting decisions, entries, reversals, balances.

Services write (keyword-only, one transaction, the acting user recorded in the audit history); selectors read with a
fixed number of queries. The ledger is append-only: a mistake is corrected by a reversing entry, never by an edit.

Rules (per township, see `township.Township`):
- a villager group meeting decision (村民小组会议) is valid when at least the quorum share (default 2/3) of those
  entitled attended and more than half of those present voted for;
- an expense above the fund-decision threshold (default 1,000 yuan), and every distribution, cites a valid decision of
  the same villager group, held on or before the entry's date;
- an expense never takes the balance below zero, on its date or on any later date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core import clock, rounding
from core.stamp import stamp, user_or_none
from core.words import day_cn
from groups.models import FundEntry, GroupPost, MeetingDecision, PartyGroup, VillagerGroup
from township.capabilities import require

Direction = FundEntry.Direction
Category = FundEntry.Category
Basis = MeetingDecision.Basis

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2
MONEY = DecimalField(max_digits=14, decimal_places=2)

# Categories that only make sense one way; the others (subsidy, operations, other) can be either.
INCOME_ONLY = {Category.CONTRACTING}
EXPENSE_ONLY = {Category.CONSTRUCTION, Category.DISTRIBUTION}


def yuan_text(amount: Decimal) -> str:
    """1234.5 → "1,234.50": how amounts are written in messages and on pages."""
    return f"{rounding.money(amount):,.2f}"


def entry_label(entry: FundEntry) -> str:
    """One line naming an entry, for choice lists: 2025年4月6日 · income · 2,150.00 · what for."""
    purpose = entry.purpose if len(entry.purpose) <= 24 else entry.purpose[:24] + "…"
    return f"{day_cn(entry.entry_date)} · {entry.get_direction_display()} · {yuan_text(entry.amount)} · {purpose}"


# --- meeting decisions ------------------------------------------------------------------------------------------


def quorum_needed(entitled: int, quorum: Fraction) -> int:
    """The fewest people present that make the quorum: at least quorum × entitled (exact, no floating point)."""
    return -((-entitled * quorum.numerator) // quorum.denominator)


def majority_needed(present: int) -> int:
    """The fewest votes that are more than half of those present."""
    return present // 2 + 1


def decision_check(decision: MeetingDecision, *, quorum: Fraction | None = None) -> list[str]:
    """What keeps a decision from being valid (empty when the quorum and the majority are both met).

    `quorum` defaults to the villager group's township setting; pass it when checking many decisions at once.
    """
    if quorum is None:
        quorum = decision.villager_group.village.township.meeting_quorum
    problems = []
    entitled, present, votes = decision.entitled, decision.present, decision.votes_for
    if present * quorum.denominator < entitled * quorum.numerator:
        values = {
            "present": present,
            "entitled": entitled,
            "rule": f"{quorum.numerator}/{quorum.denominator}",
            "needed": quorum_needed(entitled, quorum),
        }
        if decision.basis == Basis.ADULTS:
            msg = _(
                "Only %(present)d of %(entitled)d adult villagers attended, fewer than %(rule)s: at least %(needed)d "
                "must attend."
            )
        else:
            msg = _(
                "Only %(present)d of %(entitled)d households attended, fewer than %(rule)s: at least %(needed)d "
                "must attend."
            )
        problems.append(msg % values)
    if votes < majority_needed(present):
        problems.append(
            _("Only %(votes)d of the %(present)d present voted for it: more than half (%(needed)d) must vote for.")
            % {"votes": votes, "present": present, "needed": majority_needed(present)}
        )
    return problems


def decision_is_valid(decision: MeetingDecision, *, quorum: Fraction | None = None) -> bool:
    return not decision_check(decision, quorum=quorum)


@transaction.atomic
def decision_record(
    *,
    villager_group: VillagerGroup,
    held_on: datetime.date,
    subject: str,
    basis: str,
    entitled: int,
    present: int,
    votes_for: int,
    publicised_on: datetime.date | None = None,
    acting_user,
) -> MeetingDecision:
    """Record a villager group meeting's decision as it was taken, valid or not; `decision_check` says which."""
    require(acting_user, "ledger.write", villager_group)
    errors: dict[str, str] = {}
    if held_on > clock.today():
        errors["held_on"] = _("A meeting cannot be recorded before it is held (the date is in the future).")
    if publicised_on is not None and publicised_on < held_on:
        errors["publicised_on"] = _("The result cannot be publicised before the meeting was held.")
    elif publicised_on is not None and publicised_on > clock.today():
        errors["publicised_on"] = _("The date the result was publicised is in the future.")
    if errors:
        raise ValidationError(errors)
    decision = MeetingDecision(
        villager_group=villager_group,
        held_on=held_on,
        subject=(subject or "").strip(),
        basis=basis,
        entitled=entitled,
        present=present,
        votes_for=votes_for,
        publicised_on=publicised_on,
        recorded_by=user_or_none(acting_user),
    )
    decision.full_clean()
    stamp(decision, acting_user).save()
    return decision


# --- entries ----------------------------------------------------------------------------------------------------


def _amount_error(message: str, code: str) -> ValidationError:
    return ValidationError({"amount": ValidationError(message, code=code)})


def _amount(value) -> Decimal:
    """A yuan amount as an exact Decimal of two places; floats are refused (they are not exact)."""
    invalid = _("Enter the amount in yuan, for example 1000 or 1,000.50.")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise _amount_error(invalid, "amount_invalid")
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise _amount_error(invalid, "amount_invalid") from None
    if not amount.is_finite():
        raise _amount_error(invalid, "amount_invalid")
    if amount <= 0:
        raise _amount_error(
            _("The amount must be more than zero; choose income or expense for the direction."), "amount_not_positive"
        )
    if amount != amount.quantize(CENT):
        raise _amount_error(_("A yuan amount has at most two decimal places (fen)."), "amount_precision")
    if amount > MAX_AMOUNT:
        raise _amount_error(_("The amount is too large."), "amount_too_large")
    return amount.quantize(CENT)


def _locked_villager_group(villager_group: VillagerGroup | int) -> VillagerGroup:
    """Lock the villager group's row: entries of one ledger are posted one after the other, so two expenses read
    the balance in turn and cannot both spend the same money."""
    pk = getattr(villager_group, "pk", villager_group)
    return VillagerGroup.objects.select_for_update(of=("self",)).select_related("village__township").get(pk=pk)


def _available(villager_group: VillagerGroup, on: datetime.date) -> tuple[Decimal, Decimal]:
    """(balance now, the most an entry dated `on` may take out): the running balance must stay ≥ 0 from `on` on.

    A new entry goes after every entry dated on or before its date, so it lowers the running balance at that point
    and at every later one; the most it may take is the lowest of those balances.
    """
    running = at_date = ZERO
    lowest = None
    for day, direction, amount in (
        FundEntry.objects.filter(villager_group=villager_group)
        .order_by("entry_date", "pk")
        .values_list("entry_date", "direction", "amount")
    ):
        running += amount if direction == Direction.INCOME else -amount
        if day <= on:
            at_date = running
        else:
            lowest = running if lowest is None else min(lowest, running)
    return running, at_date if lowest is None else min(at_date, lowest)


def _refuse_overdraft(villager_group: VillagerGroup, on: datetime.date, amount: Decimal, field: str | None) -> None:
    now, available = _available(villager_group, on)
    if amount <= available:
        return
    if available == now:
        msg = _("The balance is %(balance)s yuan: an expense of %(amount)s yuan would overdraw the fund.") % {
            "balance": yuan_text(now),
            "amount": yuan_text(amount),
        }
    else:
        msg = _(
            "The balance is %(balance)s yuan, but for an entry dated %(date)s only %(available)s yuan is available "
            "(later entries have spent the rest): an expense of %(amount)s yuan would overdraw the fund."
        ) % {
            "balance": yuan_text(now),
            "available": yuan_text(max(available, ZERO)),
            "date": day_cn(on),
            "amount": yuan_text(amount),
        }
    error = ValidationError(msg, code="overdraft")
    raise ValidationError({field: error}) if field else error


def decision_required(*, direction: str, category: str, amount: Decimal, threshold: Decimal) -> bool:
    """Whether an entry must cite a meeting decision: every distribution, and expenses above the threshold."""
    return category == Category.DISTRIBUTION or (direction == Direction.EXPENSE and amount > threshold)


@transaction.atomic
def fund_entry_post(
    *,
    villager_group: VillagerGroup,
    entry_date: datetime.date,
    direction: str,
    amount: Decimal,
    category: str,
    counterparty: str = "",
    purpose: str,
    decision: MeetingDecision | None = None,
    acting_user,
) -> FundEntry:
    """Post one entry to a villager group's ledger, after checking the decision it needs and the balance."""
    require(acting_user, "ledger.write", villager_group)
    amount = _amount(amount)
    vg = _locked_villager_group(villager_group)
    township = vg.village.township
    errors: dict[str, str] = {}
    if direction not in Direction.values:
        errors["direction"] = _("Choose income or expense.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    elif category in INCOME_ONLY and direction == Direction.EXPENSE:
        errors["category"] = _("“%(c)s” is income; choose another category for an expense.") % {
            "c": Category(category).label
        }
    elif category in EXPENSE_ONLY and direction == Direction.INCOME:
        errors["category"] = _("“%(c)s” is an expense; choose another category for income.") % {
            "c": Category(category).label
        }
    if entry_date > clock.today():
        errors["entry_date"] = _("An entry cannot be dated in the future.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Say what the money was for.")
    if decision is not None:
        problem = _decision_problem(decision, vg, entry_date, township.meeting_quorum)
        if problem:
            errors["decision"] = problem
    elif not errors.keys() & {"direction", "category"} and decision_required(
        direction=direction, category=category, amount=amount, threshold=township.fund_decision_threshold
    ):
        if category == Category.DISTRIBUTION:
            errors["decision"] = _("A distribution must cite the villager group meeting decision that approved it.")
        else:
            errors["decision"] = _(
                "An expense above %(t)s yuan must cite the villager group meeting decision that approved it."
            ) % {"t": yuan_text(township.fund_decision_threshold)}
    if errors:
        raise ValidationError(errors)
    if direction == Direction.EXPENSE:
        _refuse_overdraft(vg, entry_date, amount, "amount")
    entry = FundEntry(
        villager_group=vg,
        party_group=vg.party_group_on(entry_date),
        entry_date=entry_date,
        direction=direction,
        amount=amount,
        category=category,
        counterparty=(counterparty or "").strip(),
        purpose=purpose.strip(),
        decision=decision,
        recorded_by=user_or_none(acting_user),
    )
    entry.full_clean()
    stamp(entry, acting_user).save()  # the database adds it to the balance (guards.carry_to_balance)
    return entry


def _decision_problem(decision, vg, entry_date, quorum) -> str:
    if decision.villager_group_id != vg.pk:
        return _("This decision was taken by another villager group; cite a decision of %(vg)s.") % {"vg": vg.name}
    if decision.held_on > entry_date:
        return _("The meeting was held on %(d)s, after the date of this entry.") % {"d": day_cn(decision.held_on)}
    problems = decision_check(decision, quorum=quorum)
    if problems:
        return _("This decision is not valid: %(why)s") % {"why": " ".join(problems)}
    return ""


@transaction.atomic
def fund_entry_reverse(*, entry: FundEntry, entry_date: datetime.date, reason: str, acting_user) -> FundEntry:
    """Correct a mistaken entry by posting its opposite, pointing at it. An entry is reversed at most once, and a
    reversal is never itself reversed (post a new entry instead)."""
    require(acting_user, "ledger.write", entry.villager_group)
    vg = _locked_villager_group(entry.villager_group_id)
    entry = FundEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None:
        raise ValidationError(
            _("This entry is itself a reversal and cannot be reversed; record a new entry instead."),
            code="reversal_of_reversal",
        )
    earlier = FundEntry.objects.filter(reverses=entry).first()
    if earlier is not None:
        raise ValidationError(
            _("This entry was already reversed on %(d)s.") % {"d": day_cn(earlier.entry_date)},
            code="already_reversed",
        )
    errors: dict[str, str] = {}
    if not (reason or "").strip():
        errors["reason"] = _("Say why the entry is reversed.")
    if entry_date > clock.today():
        errors["entry_date"] = _("An entry cannot be dated in the future.")
    elif entry_date < entry.entry_date:
        errors["entry_date"] = _("A reversal cannot be dated before the entry it reverses (%(d)s).") % {
            "d": day_cn(entry.entry_date)
        }
    if errors:
        raise ValidationError(errors)
    if entry.direction == Direction.INCOME:
        _refuse_overdraft(vg, entry_date, entry.amount, None)
    reversal = FundEntry(
        villager_group=vg,
        party_group=vg.party_group_on(entry_date),
        entry_date=entry_date,
        direction=Direction.EXPENSE if entry.direction == Direction.INCOME else Direction.INCOME,
        amount=entry.amount,
        category=entry.category,
        counterparty=entry.counterparty,
        purpose=reason.strip(),
        decision=entry.decision,
        reverses=entry,
        recorded_by=user_or_none(acting_user),
    )
    reversal.full_clean()
    stamp(reversal, acting_user).save()  # the database adds it to the balance (guards.carry_to_balance)
    return reversal


def recount_fund_balances(villager_groups: QuerySet[VillagerGroup] | None = None) -> int:
    """Recompute the stored balances from the entries, in one UPDATE (after a bulk load or to check them)."""
    total = (
        FundEntry.objects.filter(villager_group=OuterRef("pk"))
        .order_by()
        .values("villager_group")
        .annotate(total=Sum(signed_amount()))
        .values("total")
    )
    targets = villager_groups if villager_groups is not None else VillagerGroup.objects.all()
    return targets.update(fund_balance=Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY))


# --- reads ------------------------------------------------------------------------------------------------------


def signed_amount(prefix: str = ""):
    """The entry's amount, positive for income and negative for expense, as a database expression."""
    return Case(
        When(**{f"{prefix}direction": Direction.INCOME}, then=F(f"{prefix}amount")),
        When(**{f"{prefix}direction": Direction.EXPENSE}, then=Value(ZERO) - F(f"{prefix}amount")),
        output_field=MONEY,
    )


def balance(villager_group: VillagerGroup, as_of: datetime.date | None = None) -> Decimal:
    """A villager group's balance: every entry, or those dated on or before `as_of`."""
    entries = FundEntry.objects.filter(villager_group=villager_group)
    if as_of is not None:
        entries = entries.filter(entry_date__lte=as_of)
    total = entries.aggregate(total=Coalesce(Sum(signed_amount()), Value(ZERO), output_field=MONEY))["total"]
    return total.quantize(CENT)


def with_balances(villager_groups: QuerySet[VillagerGroup], as_of: datetime.date | None = None):
    """Annotate `balance` and `entry_count` on many villager groups in one query (do not add other to-many joins)."""
    in_period = Q(fund_entries__entry_date__lte=as_of) if as_of is not None else Q()
    return villager_groups.annotate(
        balance=Coalesce(Sum(signed_amount("fund_entries__"), filter=in_period), Value(ZERO), output_field=MONEY),
        entry_count=Count("fund_entries", filter=in_period),
    )


def balances(villager_groups: QuerySet[VillagerGroup], as_of: datetime.date | None = None) -> dict[int, Decimal]:
    """{villager group pk: balance} for many villager groups, in one query."""
    return {pk: b.quantize(CENT) for pk, b in with_balances(villager_groups, as_of).values_list("pk", "balance")}


def balance_before(entry: FundEntry) -> Decimal:
    """The running balance just before an entry (ledger order: date, then the order recorded)."""
    earlier = FundEntry.objects.filter(villager_group_id=entry.villager_group_id).filter(
        Q(entry_date__lt=entry.entry_date) | Q(entry_date=entry.entry_date, pk__lt=entry.pk)
    )
    total = earlier.aggregate(total=Coalesce(Sum(signed_amount()), Value(ZERO), output_field=MONEY))["total"]
    return total.quantize(CENT)


@dataclass(frozen=True)
class LedgerRow:
    """One entry as the ledger and the 公示 show it. A reversal (冲正) is shown as what it is — the entry it corrects
    taken back — in that entry's column with a minus sign, never as income (the reversal of an expense is posted as
    an inflow, but nobody paid the group anything): the period's income and expense then count what really came in
    and went out, and the balance is the same."""

    entry: FundEntry
    balance: Decimal  # the running balance after this entry

    @property
    def is_reversal(self) -> bool:
        return self.entry.reverses_id is not None

    @property
    def income(self) -> Decimal | None:
        e = self.entry
        if self.is_reversal:
            return -e.amount if e.direction == Direction.EXPENSE else None  # an income taken back
        return e.amount if e.direction == Direction.INCOME else None

    @property
    def expense(self) -> Decimal | None:
        e = self.entry
        if self.is_reversal:
            return -e.amount if e.direction == Direction.INCOME else None  # an expense taken back
        return e.amount if e.direction == Direction.EXPENSE else None

    @property
    def reversed_by(self) -> FundEntry | None:
        return getattr(self.entry, "reversed_by", None)


def running_rows(entries, opening: Decimal) -> list[LedgerRow]:
    rows, running = [], opening
    for e in entries:
        running += e.signed_amount
        rows.append(LedgerRow(e, running))
    return rows


def ledger_entries(villager_group: VillagerGroup) -> QuerySet[FundEntry]:
    """A villager group's entries in ledger order with what each page shows of them."""
    return (
        FundEntry.objects.filter(villager_group=villager_group)
        .select_related("decision", "reverses", "reversed_by", "party_group")
        .order_by("entry_date", "pk")
    )


@dataclass(frozen=True)
class Disclosure:
    """A public-disclosure sheet (公示) of one villager group's fund for a period."""

    villager_group: VillagerGroup
    start: datetime.date
    end: datetime.date
    opening: Decimal
    rows: list[LedgerRow]
    income: Decimal
    expense: Decimal
    closing: Decimal
    decisions: list[MeetingDecision]
    party_group: PartyGroup | None
    leader: str

    @property
    def title(self) -> str:
        return f"{self.villager_group.village.name}{self.villager_group.name}"


def disclosure_for(villager_group: VillagerGroup, start: datetime.date, end: datetime.date) -> Disclosure:
    """Opening balance, every entry of the period with its running balance, totals, closing balance and the decisions
    cited, plus the party group (and its leader) keeping the ledger at the end of the period."""
    opening = balance(villager_group, start - datetime.timedelta(days=1))
    entries = list(ledger_entries(villager_group).filter(entry_date__gte=start, entry_date__lte=end))
    rows = running_rows(entries, opening)
    income = sum((r.income for r in rows if r.income is not None), ZERO)  # reversals net off what they correct
    expense = sum((r.expense for r in rows if r.expense is not None), ZERO)
    decisions = {e.decision.pk: e.decision for e in entries if e.decision is not None}
    party_group = villager_group.party_group_on(end)
    leader = ""
    if party_group is not None:
        post = (
            GroupPost.objects.on(end)
            .filter(party_group=party_group, role=GroupPost.Role.LEADER)
            .select_related("member")
            .first()
        )
        leader = post.member.name if post else ""
    return Disclosure(
        villager_group=villager_group,
        start=start,
        end=end,
        opening=opening,
        rows=rows,
        income=income,
        expense=expense,
        closing=opening + income - expense,
        decisions=sorted(decisions.values(), key=lambda d: (d.held_on, d.pk)),
        party_group=party_group,
        leader=leader,
    )
