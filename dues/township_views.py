"""The township's dues pages: the remittance summary and its workbook, confirming a remittance received, reversing a
remittance recorded wrongly (either side), and the township's dated dues settings.

Objects come through the user's reach (another township's answer 404); inside it, reading needs `dues.read`, the
township's receipt `dues.receive`, its settings `dues.settings` (403 otherwise).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from audit.events import Action, record
from audit.submissions import Result, repeat_safe, submit_once
from core import clock
from core.words import month_cn
from core.xlsx import xlsx_response
from dues import exporting
from dues.forms import ReceiveForm, RemittanceReverseForm, TownshipRuleForm
from dues.models import RateTable, Remittance, TownshipDuesRule
from dues.selectors import first_year, period_label, schedule_for, township_year, yuan
from dues.services import remittance_receive, remittance_reverse, township_rule_add
from dues.views import _year, write_once
from township.models import Township, Village
from township.scoping import get_visible_or_404, villages_for


def _township(request, pk: int, capability: str = "dues.read") -> Township:
    t = get_visible_or_404(Township, request.user, pk=pk)
    if not request.user.has_perm(capability, t):
        raise PermissionDenied
    return t


def _villages_of(user, t: Township):
    """The township's villages in the user's reach: every one for its staff, only their own for a secretary."""
    return villages_for(user).filter(township=t).order_by("name")


@login_required
def township(request, pk: int, year: int):
    t = _township(request, pk)
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
            "first_year": first_year(Village.objects.filter(township=t)),
            "branches": branches,
            "period_list": period_list,
            "totals": totals,
            "year_remitted": sum((b.remitted_total for b in branches), 0),
            "year_collected": sum((b.collected_total for b in branches), 0),
            "may_receive": request.user.has_perm("dues.receive", t),
            "may_set": request.user.has_perm("dues.settings", t),
            "receive_form": ReceiveForm(),
        },
    )


@login_required
def township_xlsx(request, pk: int, year: int):
    t = _township(request, pk)
    branches = township_year(t, _year(year), villages=_villages_of(request.user, t))
    content = exporting.remittance_workbook(t, year, branches)
    record(Action.EXPORT, request=request, obj=t, rows=len(branches), export="dues_remittances")
    return xlsx_response(content, f"{t.name}{year}年党费上缴汇总表.xlsx", f"dues-remittances-{t.pk}-{year}.xlsx")


@login_required
@require_POST
@repeat_safe
def receive(request, pk: int):
    r = get_visible_or_404(Remittance, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not request.user.has_perm("dues.receive", r.village.township):
        raise PermissionDenied
    form = ReceiveForm(request.POST)
    url = reverse("dues:township", args=[r.village.township_id, r.period_start.year])
    if not form.is_valid():
        messages.error(request, "请填收到日期。")
        return redirect(url)

    def save() -> Result:
        remittance_receive(remittance=r, acting_user=request.user, **form.cleaned_data)
        return Result(url, f"已登记收到{r.village.name}{period_label(r.period_start, r.months)}的上缴。")

    try:
        return submit_once(request, save, check_url=url)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(url)


@login_required
@repeat_safe
def remittance_reverse_view(request, pk: int):
    """A remittance recorded wrongly, reversed with a reason: by the branch while the township has not confirmed it,
    by the township after."""
    r = get_visible_or_404(
        Remittance, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township", "receipt")
    )
    if not request.user.has_perm("dues.write", r.village):
        raise PermissionDenied
    back = reverse("dues:remittances", args=[r.village_id])
    form = RemittanceReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def save() -> Result:
            remittance_reverse(remittance=r, acting_user=request.user, **form.cleaned_data)
            label = period_label(r.period_start, r.months)
            return Result(back, f"已冲销{r.village.name}{label}的上缴 {yuan(r.amount)} 元，该期可以重新上缴。")

        if done := write_once(request, form, save, check_url=back):
            return done
    return render(request, "dues/remittance_reverse.html", {"r": r, "form": form, "village": r.village})


def _band_rows(table: RateTable) -> list[tuple[str, list[str], str]]:
    """(basis, range, percent) of each band of a rate table, lowest first: ["3,000.00 元以上", "至 5,000.00 元"],
    "1.5%" — the range in parts that the page keeps whole (a phone would break the amounts)."""
    rows, below = [], {}
    for band in sorted(table.bands.all(), key=lambda b: (b.basis, b.up_to is None, b.up_to or 0)):
        low = below.get(band.basis)
        if band.up_to is None:
            text = [f"{yuan(low)} 元以上" if low is not None else "全部"]
        elif low is None:
            text = [f"{yuan(band.up_to)} 元及以下"]
        else:
            text = [f"{yuan(low)} 元以上", f"至 {yuan(band.up_to)} 元"]
        below[band.basis] = band.up_to
        rows.append((band.get_basis_display(), text, f"{band.percent.normalize():f}%"))
    return rows


@login_required
def settings(request, pk: int):
    """The township's dues settings: what is in force, every dated change, and the national rate tables."""
    t = _township(request, pk, "dues.settings")
    this_month = clock.this_month()
    rule = schedule_for(t.pk).township_rule_for(this_month)
    return render(
        request,
        "dues/settings.html",
        {
            "t": t,
            "rule": rule,
            "rules": TownshipDuesRule.objects.filter(township=t).order_by("-valid_from"),
            "tables": [(table, _band_rows(table)) for table in RateTable.objects.prefetch_related("bands")],
            "this_month": this_month,
            "year": clock.this_year(),
        },
    )


@login_required
@repeat_safe
def settings_new(request, pk: int):
    """A dated change of the township's settings, in force from a coming month; past months keep theirs."""
    t = _township(request, pk, "dues.settings")
    back = reverse("dues:settings", args=[t.pk])
    if request.method == "POST":
        form = TownshipRuleForm(request.POST)
        if form.is_valid():

            def save() -> Result:
                rule = township_rule_add(township=t, acting_user=request.user, **form.cleaned_data)
                return Result(back, f"已保存：{month_cn(rule.valid_from)}起按新的规定收缴。")

            if done := write_once(request, form, save, check_url=back):
                return done
    else:
        current = schedule_for(t.pk).township_rule_for(clock.this_month())
        form = TownshipRuleForm(
            initial={
                "valid_from": TownshipRuleForm.next_month(),
                "farmer_amount": current.farmer_amount,
                "frequency": current.frequency,
                "remit_due_day": current.remit_due_day,
            }
        )
    return render(request, "dues/settings_form.html", {"t": t, "form": form})
