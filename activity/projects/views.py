"""Branch pages of collective projects (集体项目): the list, one project with its fund entries, and the form."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from activity.models import Project
from activity.projects.forms import ProjectForm
from audit.submissions import Result, repeat_safe, submit_once
from groups.ledger.services import ZERO, running_rows
from groups.models import FundEntry
from township.scoping import get_visible_or_404

PAGE_SIZE = 25


def may_manage_projects(user, place=None) -> bool:
    """Township staff and branch secretaries keep the projects; county viewers and group leaders only read them."""
    return user.has_perm("projects.write", place)


@login_required
def project_list(request):
    query = request.GET.get("q", "").strip()
    projects = Project.objects.visible_to(request.user)
    if query:
        projects = projects.filter(
            Q(name__icontains=query)
            | Q(location__icontains=query)
            | Q(village__name__icontains=query)
            | Q(villager_group__name__icontains=query)
        )
    projects = (
        projects.select_related("village__township", "villager_group", "party_group")
        .annotate(n_entries=Count("fund_entries"))
        .order_by("-started_on", "name", "pk")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/projects/list.html",
        {
            "page": page,
            "query": query,
            "query_string": urlencode({"q": query}) if query else "",
            "may_write": may_manage_projects(request.user),
        },
    )


@login_required
def project_detail(request, pk: int):
    project = get_visible_or_404(Project, request.user, pk=pk)
    entries = list(
        project.fund_entries.select_related("reverses", "reversed_by", "decision").order_by("entry_date", "pk")
    )
    rows = running_rows(entries, ZERO)
    income = sum((e.amount for e in entries if e.direction == FundEntry.Direction.INCOME), ZERO)
    expense = sum((e.amount for e in entries if e.direction == FundEntry.Direction.EXPENSE), ZERO)
    return render(
        request,
        "activity/projects/detail.html",
        {
            "project": project,
            "rows": rows,
            "entries_income": income,
            "entries_expense": expense,
            "may_write": may_manage_projects(request.user),
        },
    )


def _save(request, form: ProjectForm) -> Project:
    with transaction.atomic():
        if getattr(request.user, "pk", None):
            form.instance._history_user = request.user
        return form.save()


def _form_page(request, form: ProjectForm, project: Project | None):
    if request.method == "POST" and "refresh" not in request.POST and form.is_valid():
        created = project is None

        def save() -> Result:
            saved = _save(request, form)
            text = _("The project “%(name)s” is saved.") if created else _("The changes to “%(name)s” are saved.")
            return Result(reverse("projects:detail", args=[saved.pk]), text % {"name": saved.name})

        check_url = reverse("projects:detail", args=[project.pk]) if project else reverse("projects:list")
        return submit_once(request, save, check_url=check_url)
    return render(
        request,
        "activity/projects/form.html",
        {"form": form, "project": project, "refreshing": "refresh" in request.POST},
    )


@login_required
@repeat_safe
def project_new(request):
    if not may_manage_projects(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ProjectForm(request.POST, user=request.user)
    else:
        form = ProjectForm(user=request.user, initial={"villager_group": request.GET.get("villager_group") or None})
    return _form_page(request, form, None)


@login_required
@repeat_safe
def project_edit(request, pk: int):
    project = get_visible_or_404(Project, request.user, pk=pk)
    if not may_manage_projects(request.user, project):
        raise PermissionDenied
    if request.method == "POST":
        form = ProjectForm(request.POST, instance=project, user=request.user)
    else:
        form = ProjectForm(instance=project, user=request.user)
    return _form_page(request, form, project)
