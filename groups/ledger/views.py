"""Branch pages of the villager groups' collective funds: balances, one ledger, income and expense, meeting decisions,
reversals, and the public-disclosure sheet (公示) as a printable page and as Excel.

Reach: everything through `township.scoping`; a villager group or entry outside it answers 404. Writes are for
township staff and branch secretaries (county viewers and party group leaders get 403, and nothing changes).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.events import Action, record
from audit.submissions import Result, repeat_safe, submit_once
from groups.ledger import exporting
from groups.ledger.forms import DecisionForm, EntryForm, PeriodForm, ReverseForm
from groups.ledger.services import (
    ZERO,
    balance,
    balance_before,
    decision_check,
    decision_record,
    disclosure_for,
    fund_entry_post,
    fund_entry_reverse,
    ledger_entries,
    running_rows,
    with_balances,
    yuan_text,
)
from groups.models import Coverage, FundEntry, MeetingDecision, VillagerGroup
from township.changes import kept_html
from township.scoping import get_visible_or_404

INDEX_PAGE_SIZE = 50
LEDGER_PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def may_keep_ledger(user, place=None) -> bool:
    """Township staff and branch secretaries keep the ledgers; county viewers and group leaders only read them."""
    return user.has_perm("ledger.write", place)


def _writable_villager_group(request, pk: int) -> VillagerGroup:
    vg = get_visible_or_404(VillagerGroup, request.user, pk=pk, shape=lambda qs: qs.select_related("village__township"))
    if not may_keep_ledger(request.user, vg):
        raise PermissionDenied
    return vg


def add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name (and above the form otherwise)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _entry_url(entry: FundEntry) -> str:
    return reverse("funds:entry", args=[entry.pk])


@login_required
def index(request):
    """The villager groups in reach with their balance and the party group looking after each, by village."""
    query = request.GET.get("q", "").strip()
    groups = VillagerGroup.objects.visible_to(request.user)
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(village__name__icontains=query))
    groups = (
        with_balances(groups)
        .select_related("village__township")
        .prefetch_related(
            Prefetch(
                "coverages",
                queryset=Coverage.objects.current().select_related("party_group"),
                to_attr="current_coverage",
            )
        )
        .order_by("village__township__name", "village__name", "number")
    )
    page = Paginator(groups, INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "groups/ledger/index.html",
        {"page": page, "query": query, "query_string": urlencode({"q": query}) if query else ""},
    )


@login_required
def ledger(request, pk: int):
    """One villager group's ledger, oldest first with the running balance; opens on the newest page."""
    vg = get_visible_or_404(
        VillagerGroup, request.user, shape=lambda qs: qs.select_related("village__township"), pk=pk
    )
    township = vg.village.township
    may_write = may_keep_ledger(request.user, vg)
    asked = request.GET.get("page") or ""
    # the page asked for as the paginator reads it: none is the newest page, a number (past the end: the newest), and
    # anything else the first page
    which = asked if asked.isdigit() else ("newest" if not asked else "1")

    def context() -> dict:
        paginator = Paginator(ledger_entries(vg), LEDGER_PAGE_SIZE)
        page = paginator.get_page(paginator.num_pages if which == "newest" else which)
        entries = list(page.object_list)
        opening = balance_before(entries[0]) if entries else ZERO
        decisions = MeetingDecision.objects.filter(villager_group=vg).annotate(n_cited=Count("fund_entries"))
        return {
            "vg": vg,
            "page": page,
            "opening": opening,
            "rows": running_rows(entries, opening),
            "balance": balance(vg),
            "decisions": [(d, decision_check(d, quorum=township.meeting_quorum)) for d in decisions],
            "party_group": vg.current_party_group(),
            "threshold": township.fund_decision_threshold,
            "may_write": may_write,
        }

    # the page of entries, the balance and the meeting decisions: kept until the village's ledgers (its day's work)
    # or its data (the party groups looking after it, the township's rules) change
    name = f"ledger:{vg.pk}:{which}:{int(may_write)}"
    body = kept_html([vg.village_id], name, "groups/ledger/_ledger.html", context, work=True)
    return render(request, "groups/ledger/ledger.html", {"vg": vg, "body": body})


@login_required
def entry(request, pk: int):
    """An entry's place in its ledger: the ledger page that shows it (links between an entry and its reversal)."""
    e = get_visible_or_404(FundEntry, request.user, pk=pk)
    before = (
        FundEntry.objects.filter(villager_group_id=e.villager_group_id)
        .filter(Q(entry_date__lt=e.entry_date) | Q(entry_date=e.entry_date, pk__lt=e.pk))
        .count()
    )
    url = reverse("funds:ledger", args=[e.villager_group_id])
    return redirect(f"{url}?page={before // LEDGER_PAGE_SIZE + 1}#entry-{e.pk}")


ENTRY_DRAFT = "ledger_entry_draft"  # what was typed on the entry form while the person records a meeting decision


def _keep_entry_draft(request, vg) -> str:
    """Keep what was typed on the entry form in the session, and the direction to come back to."""
    request.session[ENTRY_DRAFT] = {
        "vg": vg.pk,
        "data": {name: request.POST.get(name, "") for name in EntryForm.base_fields if name in request.POST},
    }
    direction = request.POST.get("direction")
    return direction if direction in FundEntry.Direction.values else FundEntry.Direction.EXPENSE


def _entry_draft(request, vg) -> dict | None:
    """What was typed before the side trip (once), with the decision just recorded chosen."""
    draft = request.session.get(ENTRY_DRAFT)
    if not request.GET.get("resume") or not draft or draft.get("vg") != vg.pk:
        return None
    request.session.pop(ENTRY_DRAFT, None)
    data = dict(draft["data"])
    if (decision := request.GET.get("decision", "")).isdigit():
        data["decision"] = decision
    return data


@login_required
@repeat_safe
def entry_new(request, pk: int):
    vg = _writable_villager_group(request, pk)
    if request.method == "POST" and request.POST.get("side_trip") == "decision":
        then = _keep_entry_draft(request, vg)
        return redirect(f"{reverse('funds:decision-new', args=[vg.pk])}?then={then}&resume=1")
    if request.method == "POST":
        form = EntryForm(request.POST, villager_group=vg)
        if form.is_valid():

            def post() -> Result:
                new = fund_entry_post(villager_group=vg, acting_user=request.user, **form.cleaned_data)
                # The balance is read inside the transaction: nothing after the commit can turn this into an error.
                message = _("Recorded: %(direction)s of %(amount)s yuan. The balance is now %(balance)s yuan.") % {
                    "direction": new.get_direction_display(),
                    "amount": yuan_text(new.amount),
                    "balance": yuan_text(balance(vg)),
                }
                return Result(_entry_url(new), message)

            try:
                return submit_once(request, post, check_url=reverse("funds:ledger", args=[vg.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
    elif (typed := _entry_draft(request, vg)) is not None:
        form = EntryForm(villager_group=vg, initial=typed)
    else:
        direction = request.GET.get("direction")
        form = EntryForm(
            villager_group=vg, initial={"direction": direction} if direction in FundEntry.Direction.values else {}
        )
    return render(request, "groups/ledger/entry_form.html", {"vg": vg, "form": form, "balance": balance(vg)})


@login_required
@repeat_safe
def decision_new(request, pk: int):
    vg = _writable_villager_group(request, pk)
    then = request.GET.get("then") if request.GET.get("then") in FundEntry.Direction.values else ""
    resume = "&resume=1" if request.GET.get("resume") else ""
    if request.method == "POST":
        form = DecisionForm(request.POST)
        if form.is_valid():

            def record_decision() -> Result:
                decision = decision_record(villager_group=vg, acting_user=request.user, **form.cleaned_data)
                problems = decision_check(decision)
                ledger_url = f"{reverse('funds:ledger', args=[vg.pk])}#decisions"
                back = f"{reverse('funds:entry-new', args=[vg.pk])}?direction={then}{resume}" if then else ""
                if problems:  # recorded as it was held; back to the entry being typed, if any, with nothing chosen
                    why = _("The meeting is recorded, but its decision cannot be cited: %(why)s")
                    return Result(back or ledger_url, why % {"why": " ".join(problems)}, messages.WARNING)
                done = _("The decision is recorded; entries can now cite it.")
                if back:
                    return Result(f"{back}&decision={decision.pk}" if resume else back, done)
                return Result(ledger_url, done)

            try:
                return submit_once(request, record_decision, check_url=reverse("funds:ledger", args=[vg.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        form = DecisionForm(initial={"entitled": vg.households or None})
    quorum = vg.village.township.meeting_quorum
    return render(
        request,
        "groups/ledger/decision_form.html",
        {
            "vg": vg,
            "form": form,
            "then": then,
            "resume": bool(resume),
            "quorum": f"{quorum.numerator}/{quorum.denominator}",
        },
    )


@login_required
@repeat_safe
def entry_reverse(request, pk: int):
    original = get_visible_or_404(FundEntry, request.user, pk=pk)
    if not may_keep_ledger(request.user, original.villager_group):
        raise PermissionDenied
    vg = original.villager_group
    if request.method == "POST":
        form = ReverseForm(request.POST)
        if form.is_valid():

            def reverse_entry() -> Result:
                reversal = fund_entry_reverse(entry=original, acting_user=request.user, **form.cleaned_data)
                message = _("The entry is reversed. The balance is now %(balance)s yuan.") % {
                    "balance": yuan_text(balance(vg))
                }
                return Result(_entry_url(reversal), message)

            try:
                return submit_once(request, reverse_entry, check_url=reverse("funds:ledger", args=[vg.pk]))
            except ValidationError as exc:
                add_service_errors(form, exc)
    else:
        form = ReverseForm()
    reversed_by = getattr(original, "reversed_by", None)
    return render(
        request,
        "groups/ledger/reverse_form.html",
        {"vg": vg, "entry": original, "form": form, "reversed_by": reversed_by, "balance": balance(vg)},
    )


def _period(request) -> tuple[PeriodForm, dict]:
    form = PeriodForm.from_query(request.GET)
    return form, (form.cleaned_data if form.is_valid() else {})


@login_required
def disclosure(request, pk: int):
    """The 公示 sheet for a period: printable, and the same as Excel."""
    vg = get_visible_or_404(VillagerGroup, request.user, pk=pk)
    form, period = _period(request)
    sheet = disclosure_for(vg, period["start"], period["end"]) if period else None
    query = urlencode({k: v.isoformat() for k, v in period.items() if v}) if period else ""
    return render(
        request,
        "groups/ledger/disclosure.html",
        {
            "vg": vg,
            "form": form,
            "sheet": sheet,
            "posted_from": period.get("posted_from"),
            "posted_to": period.get("posted_to"),
            "xlsx_url": f"{reverse('funds:disclosure-xlsx', args=[vg.pk])}?{query}",
        },
    )


@login_required
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def disclosure_xlsx(request, pk: int):
    vg = get_visible_or_404(VillagerGroup, request.user, pk=pk)
    form, period = _period(request)
    if not period:
        return redirect(f"{reverse('funds:disclosure', args=[vg.pk])}?{request.GET.urlencode()}")
    sheet = disclosure_for(vg, period["start"], period["end"])
    content = exporting.disclosure_workbook(
        sheet, posted_from=period.get("posted_from"), posted_to=period.get("posted_to")
    )
    record(Action.EXPORT, request=request, obj=vg, rows=len(sheet.rows), export="fund_disclosure")
    name = _("%(title)s collective fund disclosure %(start)s-%(end)s.xlsx") % {
        "title": f"{vg.village.township.name}{sheet.title}",
        "start": f"{sheet.start:%Y%m%d}",
        "end": f"{sheet.end:%Y%m%d}",
    }
    response = HttpResponse(content, content_type=XLSX)
    fallback = f"fund-disclosure-{vg.pk}-{sheet.start:%Y%m%d}-{sheet.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
