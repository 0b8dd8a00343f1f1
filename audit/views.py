"""/audit/: the security auditor's page (等保 8.1.4.3) — security events and data changes, filtered, paginated and
exported. Read-only: nothing in the audit trail can be changed or deleted here. Anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit.events import Action, record
from audit.exporting import events_workbook
from audit.forms import ChangeFilterForm, EventFilterForm
from audit.selectors import changes_page, events_matching
from core import clock
from core.xlsx import xlsx_response

PER_PAGE = 50


def _auditor_only(request) -> None:
    if not request.user.has_perm("audit.read"):
        raise Http404


def _query(request) -> str:
    """The filters of this page as a query string, without the page number (for the pager and the export link)."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _page_number(request) -> int:
    number = request.GET.get("page", "1")
    return max(int(number), 1) if number.isdigit() else 1


@login_required
@require_GET
def events(request):
    _auditor_only(request)
    form = EventFilterForm(request.GET or None)
    page = Paginator(events_matching(form.filters()), PER_PAGE).get_page(request.GET.get("page"))
    query = _query(request)
    return render(
        request,
        "audit/events.html",
        {
            "tab": "events",
            "form": form,
            "page": page,
            "query": query,
            "xlsx_url": f"{reverse('audit:events-xlsx')}?{query}",
        },
    )


@login_required
@require_GET
def changes(request):
    _auditor_only(request)
    form = ChangeFilterForm(request.GET or None)
    page = changes_page(form.filters(), _page_number(request), PER_PAGE)
    return render(
        request, "audit/changes.html", {"tab": "changes", "form": form, "page": page, "query": _query(request)}
    )


@login_required
@require_GET
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def events_xlsx(request):
    """The filtered events as a workbook; the export itself is kept as an EXPORT event with its row count."""
    _auditor_only(request)
    form = EventFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return redirect(f"{reverse('audit:events')}?{_query(request)}")
    filters = form.filters()
    description = "；".join(f"{form.fields[k].label}：{v}" for k, v in filters.items() if v not in (None, ""))
    content, rows = events_workbook(events_matching(filters), description=description)
    record(
        Action.EXPORT,
        request=request,
        rows=rows,
        export="security_events",
        filters={k: str(v) for k, v in filters.items()},
    )
    today = clock.today()
    name = _("Security events %(day)s.xlsx") % {"day": f"{today:%Y%m%d}"}
    return xlsx_response(content, name, f"security-events-{today:%Y%m%d}.xlsx")
