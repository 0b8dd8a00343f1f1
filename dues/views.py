"""The dues pages: a branch's book for a year, assessments, recording and reversing payments, arrears, remittance;
the township's remittance summary; the three workbooks.

Every object is fetched through the user's reach (`get_visible_or_404`: another village's answers 404); inside the
reach, reading needs `dues.read`, writing `dues.write` and the township's receipt `dues.receive` (403 otherwise).
"""

from __future__ import annotations

import contextlib
import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from audit.events import Action, record
from audit.submissions import Result, repeat_safe, submit_once
from core import clock, periods
from core.words import day_cn
from core.xlsx import xlsx_response
from dues import exporting
from dues.forms import AssessmentForm, ExcuseForm, PaymentForm, RemittanceForm, ReverseForm
from dues.models import Assessment, Payment
from dues.selectors import (
    FLAG_MONTHS,
    REMINDER_MONTHS,
    arrears_for,
    book_for,
    members_in_year,
    period_label,
    schedule_for,
    township_year,
    yuan,
)
from dues.services import (
    assessment_set,
    excuse_record,
    payment_record,
    payment_reverse,
    remittance_record,
)
from members.models import PartyMember
from township.changes import kept_html
from township.models import Village
from township.scoping import assignment_of, get_visible_or_404, townships_for, villages_for


def _village(request, pk: int, capability: str = "dues.read") -> Village:
    village = get_visible_or_404(Village, request.user, pk=pk, shape=lambda qs: qs.select_related("township"))
    if not request.user.has_perm(capability, village):
        raise PermissionDenied
    return village


def _year(year: int) -> int:
    if not 2000 <= year <= clock.this_year() + 1:
        raise Http404
    return year


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def write_once(request, form, write, *, check_url: str):
    """Run the form's write once for its one-time key (`audit.submissions`) and redirect to what it saved; a refusal
    lands beside the form's fields and answers None (the form is shown again, with what was typed)."""
    try:
        return submit_once(request, write, check_url=check_url)
    except ValidationError as exc:
        _service_errors(form, exc)
        return None


@login_required
def index(request):
    """Where dues are kept in the person's reach: a secretary goes straight to their book, township staff to their
    township's summary; a county viewer chooses a township."""
    a = assignment_of(request.user)
    if not request.user.has_perm("dues.read"):
        if a is not None and a.party_group_id and request.user.has_perm("dues.collect"):
            return redirect("dues:group", a.party_group_id)  # a group leader collects from their group
        raise PermissionDenied
    year = clock.this_year()
    if a is not None and a.village_id:
        return redirect("dues:book", a.village_id, year)
    if a is not None and a.township_id:
        return redirect("dues:township", a.township_id, year)
    townships = townships_for(request.user).order_by("name")
    villages = villages_for(request.user).select_related("township").order_by("township__name", "name")
    return render(request, "dues/index.html", {"townships": townships, "villages": villages, "year": year})


@login_required
def book(request, pk: int, year: int):
    village = _village(request, pk)
    year = _year(year)
    may_write = request.user.has_perm("dues.write", village)
    today = clock.today()

    def context() -> dict:
        sheet = book_for(village, year)
        return {
            "village": village,
            "book": sheet,
            "year": year,
            "first_year": sheet.first_year,
            "may_write": may_write,
            # an unpaid month's cell links to the payment form for that member and month
            "pay_url": reverse("dues:payment-new", args=[village.pk]) if may_write else None,
            "this_month": today.replace(day=1),
        }

    # the member × month grid: ~1,200 cells at a large branch, kept until the branch's members or dues change
    name = f"dues-book:{village.pk}:{year}:{today}:{int(may_write)}"
    sheet = kept_html([village.pk], name, "dues/_book.html", context)
    return render(
        request,
        "dues/book.html",
        {
            "village": village,
            "year": year,
            "sheet": sheet,
            "may_see_township": request.user.has_perm("dues.read", village.township),
        },
    )


@login_required
def register_xlsx(request, pk: int, year: int):
    village = _village(request, pk)
    sheet = book_for(village, _year(year))
    content = exporting.register_workbook(sheet, township_name=village.township.name)
    record(Action.EXPORT, request=request, obj=village, rows=len(sheet.rows), export="dues_register")
    name = f"{village.township.name}{village.name}{year}年党费收缴登记表.xlsx"
    return xlsx_response(content, name, f"dues-register-{village.pk}-{year}.xlsx")


@login_required
def assessments(request, pk: int, year: int):
    village = _village(request, pk)
    year = _year(year)
    members = members_in_year(village, year)
    found = Assessment.objects.filter(member__in=members, year=year).select_related("set_by")
    current = {a.member_id: a for a in found}
    rows = [(m, current.get(m.pk)) for m in members]
    return render(
        request,
        "dues/assessments.html",
        {
            "village": village,
            "year": year,
            "rows": rows,
            "may_write": request.user.has_perm("dues.write", village),
        },
    )


@login_required
@repeat_safe
def assess(request, pk: int, year: int):
    member = get_visible_or_404(PartyMember, request.user, pk=pk, shape=lambda qs: qs.select_related("village"))
    if not request.user.has_perm("dues.write", member):
        raise PermissionDenied
    year = _year(year)
    current = Assessment.objects.filter(member=member, year=year).first()
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():

            def save() -> Result:
                assessment_set(member=member, year=year, acting_user=request.user, **form.cleaned_data)
                return Result(
                    reverse("dues:assessments", args=[member.village_id, year]),
                    f"已核定{member.name}{year}年的党费类别和基数。",
                )

            check_url = reverse("dues:assessments", args=[member.village_id, year])
            if done := write_once(request, form, save, check_url=check_url):
                return done
    else:
        initial = {"category": current.category, "base": current.base, "note": current.note} if current else {}
        if not current:
            previous = Assessment.objects.filter(member=member, year=year - 1).first()
            if previous:
                initial = {"category": previous.category, "base": previous.base}
        form = AssessmentForm(initial=initial)
    return render(request, "dues/assess.html", {"member": member, "year": year, "form": form, "current": current})


@login_required
@repeat_safe
def payment_new(request, pk: int):
    village = _village(request, pk, "dues.write")
    frequency = schedule_for(village.township_id).township_rule_for(clock.this_month()).frequency
    if request.method == "POST":
        form = PaymentForm(request.POST, village=village, frequency=frequency)
        if form.is_valid():

            def save() -> Result:
                payment = payment_record(village=village, acting_user=request.user, **form.cleaned_data)
                return Result(reverse("dues:payment", args=[payment.pk]), payment_message(payment))

            check_url = reverse("dues:book", args=[village.pk, clock.this_year()])
            if done := write_once(request, form, save, check_url=check_url):
                return done
    else:
        initial = {"first_month": clock.this_month()}
        member_id = request.GET.get("member", "")
        if member_id.isdigit():
            initial["member"] = int(member_id)
        month = request.GET.get("month", "")
        with contextlib.suppress(ValueError):
            initial["first_month"] = periods.month_of(datetime.date.fromisoformat(month))
        form = PaymentForm(village=village, frequency=frequency, initial=initial)
    return render(request, "dues/payment_form.html", {"village": village, "form": form, "year": clock.this_year()})


def payment_message(payment) -> str:
    total = sum(line.amount for line in payment.lines.all())
    return f"已登记：收据 {payment.receipt_no}，{payment.member.name}交 {yuan(total)} 元。"


@login_required
def payment(request, pk: int):
    p = get_visible_or_404(
        Payment, request.user, pk=pk, shape=lambda qs: qs.select_related("village", "member", "reverses", "recorded_by")
    )
    if not request.user.has_perm("dues.read", p.village):
        raise PermissionDenied
    lines = list(p.lines.order_by("month", "kind"))
    return render(
        request,
        "dues/payment.html",
        {
            "p": p,
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
            "reversed_by": Payment.objects.filter(reverses=p).first(),
            "may_write": request.user.has_perm("dues.write", p.village),
        },
    )


@login_required
@repeat_safe
def payment_reverse_view(request, pk: int):
    p = get_visible_or_404(Payment, request.user, pk=pk, shape=lambda qs: qs.select_related("village", "member"))
    if not request.user.has_perm("dues.write", p.village):
        raise PermissionDenied
    if request.method == "POST":
        form = ReverseForm(request.POST)
        if form.is_valid():

            def save() -> Result:
                reversal = payment_reverse(payment=p, acting_user=request.user, **form.cleaned_data)
                return Result(
                    reverse("dues:payment", args=[reversal.pk]),
                    f"已冲销收据 {p.receipt_no}（冲销收据 {reversal.receipt_no}）。",
                )

            if done := write_once(request, form, save, check_url=reverse("dues:payment", args=[p.pk])):
                return done
    else:
        form = ReverseForm()
    return render(request, "dues/reverse_form.html", {"p": p, "form": form})


@login_required
@repeat_safe
def arrears(request, pk: int):
    village = _village(request, pk)
    may_write = request.user.has_perm("dues.write", village)
    form = None
    if may_write:
        if request.method == "POST":
            form = ExcuseForm(request.POST, village=village)
            if form.is_valid():

                def save() -> Result:
                    excuse_record(acting_user=request.user, **form.cleaned_data)
                    return Result(
                        reverse("dues:arrears", args=[village.pk]),
                        f"已记录{form.cleaned_data['member'].name}欠交的正当理由。",
                    )

                if done := write_once(request, form, save, check_url=reverse("dues:arrears", args=[village.pk])):
                    return done
        else:
            form = ExcuseForm(village=village)
    elif request.method == "POST":
        raise PermissionDenied
    rows = arrears_for(village)
    return render(
        request,
        "dues/arrears.html",
        {
            "village": village,
            "rows": rows,
            "reminders": [a for a in rows if not a.flagged],
            "flagged": [a for a in rows if a.flagged],
            "form": form,
            "year": clock.this_year(),
            "REMINDER_MONTHS": REMINDER_MONTHS,
            "FLAG_MONTHS": FLAG_MONTHS,
        },
    )


@login_required
def arrears_xlsx(request, pk: int):
    village = _village(request, pk)
    rows = arrears_for(village)
    content = exporting.arrears_workbook(village, rows, clock.today())
    record(Action.EXPORT, request=request, obj=village, rows=len(rows), export="dues_arrears")
    name = f"{village.township.name}{village.name}党费欠交名单{day_cn(clock.today())}.xlsx"
    return xlsx_response(content, name, f"dues-arrears-{village.pk}.xlsx")


@login_required
@repeat_safe
def remittances(request, pk: int):
    village = _village(request, pk)
    year = clock.this_year()
    today = clock.today()
    branch = township_year(village.township, year, villages=[village])[0]
    last_year = township_year(village.township, year - 1, villages=[village])[0]
    statuses = last_year.periods + branch.periods
    choices = [
        (p.start.isoformat(), f"{p.label}（收缴 {yuan(p.collected)} 元）")
        for p in statuses
        if p.remittance is None
        and p.collected > 0
        and periods.month_end(periods.add_months(p.start, p.months - 1)) < today
    ]
    may_write = request.user.has_perm("dues.write", village)
    form = RemittanceForm(request.POST or None, choices=choices) if may_write else None
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied
        if form.is_valid():

            def save() -> Result:
                r = remittance_record(village=village, acting_user=request.user, **form.cleaned_data)
                text = f"已登记上缴{period_label(r.period_start, r.months)}党费 {yuan(r.amount)} 元。"
                return Result(reverse("dues:remittances", args=[village.pk]), text)

            url = reverse("dues:remittances", args=[village.pk])
            if done := write_once(request, form, save, check_url=url):
                return done
    return render(
        request,
        "dues/remittances.html",
        {"village": village, "statuses": [p for p in statuses if p.start <= today], "form": form, "year": year},
    )
