"""The dues pages: a branch's book for a year, assessments, recording and reversing payments, arrears, remittance;
the township's remittance summary; the three workbooks.

Every object is fetched through the user's reach (`get_visible_or_404`: another village's answers 404); inside the
reach, reading needs `dues.read`, writing `dues.write` and the township's receipt `dues.receive` (403 otherwise).
"""

from __future__ import annotations

import contextlib
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Min
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.events import Action, record
from core import clock, periods
from core.xlsx import xlsx_response
from dues import exporting
from dues.forms import AssessmentForm, ExcuseForm, PaymentForm, ReceiveForm, RemittanceForm, ReverseForm
from dues.models import Assessment, Payment, Remittance
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
    remittance_receive,
    remittance_record,
)
from members.models import PartyMember
from township.models import Township, Village
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


def _first_year(villages) -> int:
    """The earliest year these branches have dues on record (assessed or paid), or this year: the year pages link back
    no further than that."""
    first = Assessment.objects.filter(member__village__in=villages).aggregate(first=Min("year"))["first"]
    return min(first or clock.this_year(), clock.this_year())


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def index(request):
    """Where dues are kept in the person's reach: a secretary goes straight to their book, township staff to their
    township's summary; a county viewer chooses a township."""
    if not request.user.has_perm("dues.read"):
        raise PermissionDenied
    year = clock.this_year()
    a = assignment_of(request.user)
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
    sheet = book_for(village, _year(year))
    return render(
        request,
        "dues/book.html",
        {
            "village": village,
            "book": sheet,
            "year": year,
            "first_year": _first_year([village]),
            "may_write": request.user.has_perm("dues.write", village),
            "may_see_township": request.user.has_perm("dues.read", village.township),
            "this_month": clock.this_month(),
        },
    )


@login_required
def register_xlsx(request, pk: int, year: int):
    village = _village(request, pk)
    sheet = book_for(village, _year(year))
    content = exporting.register_workbook(sheet, township_name=village.township.name)
    record(Action.EXPORT, request=request, obj=village, rows=len(sheet.rows), export="dues_register")
    name = f"{village.name}{year}年党费收缴登记表.xlsx"
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
def assess(request, pk: int, year: int):
    member = get_visible_or_404(PartyMember, request.user, pk=pk, shape=lambda qs: qs.select_related("village"))
    if not request.user.has_perm("dues.write", member):
        raise PermissionDenied
    year = _year(year)
    current = Assessment.objects.filter(member=member, year=year).first()
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                assessment_set(member=member, year=year, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, f"已核定{member.name}{year}年的党费类别和基数。")
                return redirect("dues:assessments", member.village_id, year)
    else:
        initial = {"category": current.category, "base": current.base, "note": current.note} if current else {}
        if not current:
            previous = Assessment.objects.filter(member=member, year=year - 1).first()
            if previous:
                initial = {"category": previous.category, "base": previous.base}
        form = AssessmentForm(initial=initial)
    return render(request, "dues/assess.html", {"member": member, "year": year, "form": form, "current": current})


@login_required
def payment_new(request, pk: int):
    village = _village(request, pk, "dues.write")
    frequency = schedule_for(village.township_id).township_rule_for(clock.this_month()).frequency
    if request.method == "POST":
        form = PaymentForm(request.POST, village=village, frequency=frequency)
        if form.is_valid():
            try:
                payment = payment_record(village=village, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                total = sum(line.amount for line in payment.lines.all())
                text = f"已登记：收据 {payment.receipt_no}，{payment.member.name}交 {yuan(total)} 元。"
                messages.success(request, text)
                return redirect("dues:payment", payment.pk)
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
def payment_reverse_view(request, pk: int):
    p = get_visible_or_404(Payment, request.user, pk=pk, shape=lambda qs: qs.select_related("village", "member"))
    if not request.user.has_perm("dues.write", p.village):
        raise PermissionDenied
    if request.method == "POST":
        form = ReverseForm(request.POST)
        if form.is_valid():
            try:
                reversal = payment_reverse(payment=p, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                messages.success(request, f"已冲销收据 {p.receipt_no}（冲销收据 {reversal.receipt_no}）。")
                return redirect("dues:payment", reversal.pk)
    else:
        form = ReverseForm()
    return render(request, "dues/reverse_form.html", {"p": p, "form": form})


@login_required
def arrears(request, pk: int):
    village = _village(request, pk)
    may_write = request.user.has_perm("dues.write", village)
    form = None
    if may_write:
        if request.method == "POST":
            form = ExcuseForm(request.POST, village=village)
            if form.is_valid():
                try:
                    excuse_record(acting_user=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    _service_errors(form, exc)
                else:
                    messages.success(request, f"已记录{form.cleaned_data['member'].name}欠交的正当理由。")
                    return redirect("dues:arrears", village.pk)
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
    return xlsx_response(content, f"{village.name}党费欠交名单.xlsx", f"dues-arrears-{village.pk}.xlsx")


@login_required
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
            try:
                r = remittance_record(village=village, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _service_errors(form, exc)
            else:
                text = f"已登记上缴{period_label(r.period_start, r.months)}党费 {yuan(r.amount)} 元。"
                messages.success(request, text)
                return redirect("dues:remittances", village.pk)
    return render(
        request,
        "dues/remittances.html",
        {"village": village, "statuses": [p for p in statuses if p.start <= today], "form": form, "year": year},
    )


def _villages_of(user, t: Township):
    """The township's villages in the user's reach: every one for its staff, only their own for a secretary."""
    return villages_for(user).filter(township=t).order_by("name")


@login_required
def township(request, pk: int, year: int):
    t = get_visible_or_404(Township, request.user, pk=pk)
    if not request.user.has_perm("dues.read", t):
        raise PermissionDenied
    year = _year(year)
    branches = township_year(t, year, villages=_villages_of(request.user, t))
    period_list = [p.label for p in branches[0].periods] if branches else []
    columns = len(period_list)
    totals = [
        sum((b.periods[i].remittance.amount for b in branches if b.periods[i].remittance), 0) for i in range(columns)
    ]
    return render(
        request,
        "dues/township.html",
        {
            "t": t,
            "year": year,
            "first_year": _first_year(Village.objects.filter(township=t)),
            "branches": branches,
            "period_list": period_list,
            "totals": totals,
            "year_remitted": sum((b.remitted_total for b in branches), 0),
            "year_collected": sum((b.collected_total for b in branches), 0),
            "may_receive": request.user.has_perm("dues.receive", t),
            "receive_form": ReceiveForm(),
        },
    )


@login_required
def township_xlsx(request, pk: int, year: int):
    t = get_visible_or_404(Township, request.user, pk=pk)
    if not request.user.has_perm("dues.read", t):
        raise PermissionDenied
    branches = township_year(t, _year(year), villages=_villages_of(request.user, t))
    content = exporting.remittance_workbook(t, year, branches)
    record(Action.EXPORT, request=request, obj=t, rows=len(branches), export="dues_remittances")
    return xlsx_response(content, f"{t.name}{year}年党费上缴汇总表.xlsx", f"dues-remittances-{t.pk}-{year}.xlsx")


@login_required
@require_POST
def receive(request, pk: int):
    r = get_visible_or_404(Remittance, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not request.user.has_perm("dues.receive", r.village.township):
        raise PermissionDenied
    form = ReceiveForm(request.POST)
    url = reverse("dues:township", args=[r.village.township_id, r.period_start.year])
    if form.is_valid():
        try:
            remittance_receive(remittance=r, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"已登记收到{r.village.name}{period_label(r.period_start, r.months)}的上缴。")
    else:
        messages.error(request, "请填收到日期。")
    return redirect(url)
