"""Importing party members from an Excel roster: template → upload → (job) → preview with every problem → confirm.

The uploaded file is kept encrypted in the database (groups/roster/pending.py), its token in the importer's session,
until they confirm (then it is read and checked again and saved in one transaction, which also removes the file) or
discard it; a file left waiting is removed after a day. Reading and checking the file against the records (the
reconciliation) is a job (groups/roster/import_job.py): the upload queues it, the preview shows the plan it kept, or
sends the person to its progress page while it runs (inline, as under `make run` and the tests, it is done at once).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.events import Action, record
from audit.job_views import job_started
from audit.jobs import KINDS
from audit.models import Job
from audit.submissions import Result, repeat_safe, submit_once
from core.uploads import upload_refused
from core.xlsx import XLSX_CONTENT_TYPE, xlsx_response
from groups.models import PendingImport
from groups.roster.exporting import (
    roster_file,
    roster_filename,
    roster_is_large,
    roster_scope_key,
    roster_scope_name,
)
from groups.roster.forms import ImportForm
from groups.roster.import_job import import_job_for, import_job_start, import_plan
from groups.roster.importing import (
    EVERYTHING,
    Choice,
    NothingChosen,
    RosterFileError,
    RosterNotReady,
    check_workbook,
    roster_import,
    template_workbook,
)
from groups.roster.jobs import NATIONAL, NATIONAL_FULL, ROSTER
from groups.roster.national_export import national_file, national_filename
from groups.roster.pending import pending_discard, pending_read, pending_store
from township.scoping import villages_for

SESSION_KEY = "members_import"
JOB_INTRO = "人数多，在后台生成：点下面的按钮后会显示进度，生成好了就可以下载。文件只有您本人可以下载，保留一天。"
MASKED_NOTE = "身份证号、联系电话、家庭住址已遮盖。"
FULL_NOTE = "文件含完整身份证号、联系电话和家庭住址，生成和下载都记入安全日志，请妥善保管。"


def may_import(user) -> bool:
    """Township staff and branch secretaries keep the rosters; county viewers and group leaders do not."""
    return user.has_perm("members.write")


def _importer(request):
    if not may_import(request.user):
        raise PermissionDenied
    return request.user


def _pending(request) -> dict | None:
    """The file this person uploaded and has not yet confirmed or discarded."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("user") != request.user.pk or not pending.get("token"):
        return None
    if not PendingImport.objects.filter(user=request.user, token=pending["token"]).exists():
        return None
    return pending


def _forget(request) -> None:
    pending_discard(user=request.user)
    request.session.pop(SESSION_KEY, None)


def _read_pending(request, pending: dict) -> bytes | None:
    return pending_read(user=request.user, token=pending["token"])


@login_required
def import_template(request):
    user = _importer(request)
    scope = roster_scope_name(user) or ""
    name = f"{scope}{_('Party member roster template.xlsx')}"
    return xlsx_response(template_workbook(user, place=scope), name, "member-roster-template.xlsx")


@login_required
def import_upload(request):
    """Choose the file. A file that cannot be read as a roster is answered here, beside the file field."""
    _importer(request)
    form = ImportForm()
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, refused=upload_refused(request))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                check_workbook(data)  # not a workbook, a zip bomb, a sheet declared huge: said at once, nothing kept
                with transaction.atomic():  # the file and its job (inline: its plan too) kept together, or neither
                    token = pending_store(user=request.user, data=data, filename=upload.name)
                    _check_started(request.user, token)
            except RosterFileError as exc:
                form.add_error("file", ValidationError(str(exc), code="unreadable"))
            else:
                request.session[SESSION_KEY] = {"user": request.user.pk, "token": token, "filename": upload.name[:200]}
                return redirect("roster:import-preview")
    return render(request, "groups/roster/import_upload.html", {"form": form, "pending": _pending(request)})


def _check_started(user, token: str) -> None:
    """Queue the reconciliation of the waiting file (inside the upload's transaction). When it has already run
    (inline) and found the file unreadable as a roster, RosterFileError says why, beside the file field as before it
    was a job, and the transaction that would have kept the file and its job is rolled back."""
    try:
        job = import_job_start(user=user, token=token)
    except PermissionError:  # may write members but has no reach to check them against
        raise PermissionDenied from None
    plan = import_plan(job)
    if plan is not None and plan.file_problems:
        raise RosterFileError(" ".join(plan.file_problems))


def _no_file(request):
    request.session.pop(SESSION_KEY, None)
    messages.warning(request, _("Upload the roster file first."))
    return redirect("roster:import")


@login_required
def import_preview(request):
    """What the file would add and change, and every problem by row and column; nothing saved yet. The plan is the one
    the reconciliation job kept; while it runs (or after it failed) this sends the person to the job's page."""
    user = _importer(request)
    pending = _pending(request)
    if pending is None:
        return _no_file(request)
    job = None if pending.get("check_again") else import_job_for(user=user, token=pending["token"])
    if job is None:  # asked by a failed confirmation, or the person's reach or language is not the one checked for
        request.session[SESSION_KEY] = {k: v for k, v in pending.items() if k != "check_again"}
        try:
            with transaction.atomic():
                job = import_job_start(user=user, token=pending["token"])
        except PermissionError:
            raise PermissionDenied from None
    if job.state != Job.State.DONE:
        return redirect("jobs:job", job.pk)
    plan = import_plan(job)
    if plan is None:  # the waiting file went meanwhile (confirmed or discarded elsewhere, a day old)
        return _no_file(request)
    return render(request, "groups/roster/import_preview.html", {"plan": plan, "pending": pending, "job": job})


@login_required
@require_POST
@repeat_safe
def import_confirm(request):
    """Save the checked file (all rows or none), or discard it."""
    _importer(request)
    pending = _pending(request)
    if pending is None or request.POST.get("token") != pending["token"]:
        messages.warning(request, _("That file is no longer waiting to be imported. Upload it again."))
        return redirect("roster:import")
    if "discard" in request.POST:
        _forget(request)
        messages.success(request, _("The file was discarded; nothing was imported."))
        return redirect("roster:import")
    data = _read_pending(request, pending)
    if data is None:
        _forget(request)
        messages.warning(request, _("That file is no longer waiting to be imported. Upload it again."))
        return redirect("roster:import")
    choice = _choice(request.POST)

    def save() -> Result:
        plan = roster_import(data=data, acting_user=request.user, filename=pending.get("filename", ""), choice=choice)
        # The waiting file and the session's pointer to it go in the import's transaction: both or neither, and
        # nothing left for the session middleware to write after the commit.
        pending_discard(user=request.user, token=pending["token"])
        request.session.pop(SESSION_KEY, None)
        request.session.save()
        request.session.modified = False
        done = _("Imported: %(new)d members added, %(update)d updated, %(unchanged)d already up to date.")
        return Result(reverse("roster:import"), done % plan.applied)

    try:
        response = submit_once(request, save, check_url=reverse("roster:import"))
    except NothingChosen:
        messages.error(request, _("Tick the changes to save: nothing was ticked, so nothing was imported."))
        return redirect("roster:import-preview")
    except RosterNotReady:
        messages.error(request, _("The file has problems now, so nothing was imported. Check the list below."))
        return _checked_again(request, pending)
    except (ValidationError, IntegrityError) as exc:
        detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else ""
        messages.error(request, _("Nothing was imported: %(detail)s") % {"detail": detail or _("the records changed")})
        return _checked_again(request, pending)
    return response


def _checked_again(request, pending: dict):
    """The records changed since the file was checked: the preview checks it again, so that it lists what stands in
    the way (there, in that request's own transaction: this one's was rolled back)."""
    request.session[SESSION_KEY] = {**pending, "check_again": True}
    return redirect("roster:import-preview")


def _choice(post) -> Choice:
    """What the preview's ticks take. The preview's form always says it offers a choice ("choosing"); a post
    without it (a script's, or an older page's) takes every change, as the import did before reconciliation."""
    if "choosing" not in post:
        return EVERYTHING
    rows = frozenset(int(n) for n in post.getlist("row") if n.isdigit())
    return Choice(all_new="all_new" in post, all_changed="all_changed" in post, rows=rows)


@login_required
@transaction.atomic  # the rows read and the EXPORT event in one transaction (a savepoint only when nested)
def roster_xlsx(request):
    """Every current member in the person's reach as an .xlsx roster, ID and phone numbers masked; streamed from a
    temporary file so that a province's roster needs no more memory than a village's. A county's or everyone's
    roster is made as a job instead (the roster-job page)."""
    scope = roster_scope_name(request.user)
    if scope is None:
        raise Http404
    if roster_is_large(request.user):
        return redirect("roster:roster-job")
    handle, rows = roster_file(villages_for(request.user), title=scope)
    record(Action.EXPORT, request=request, rows=rows, export="member_roster", scope=scope)
    response = FileResponse(handle, as_attachment=True, filename=roster_filename(scope), content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@repeat_safe
def roster_job(request):
    """The roster made off the request: a button that starts the job (once per click, whatever the double clicks),
    and the person's rosters made in the last day, each with its progress page."""
    if roster_scope_key(request.user) is None:
        raise Http404
    if request.method == "POST":
        return job_started(request, ROSTER)
    jobs = Job.objects.filter(user=request.user, kind=ROSTER, scope=roster_scope_key(request.user))
    context = {"scope": roster_scope_name(request.user), "jobs": jobs.order_by("-created_at")[:5]}
    return render(request, "groups/roster/roster_job.html", context)


@login_required
@transaction.atomic  # the rows read and the EXPORT (and REVEAL) events in one transaction
def national_xlsx(request):
    """The roster in the national system's 党员基本信息 headings (numbers masked); `?full=1` gives the full record to
    a person who may reveal personal data, kept as a REVEAL event, and answers 403 to anyone else."""
    scope = roster_scope_name(request.user)
    if scope is None:
        raise Http404
    full = request.GET.get("full") == "1"
    if full and not request.user.has_perm("members.reveal_personal_data"):
        raise PermissionDenied
    if roster_is_large(request.user):  # a county's or everyone's: made as a job (national_job)
        return redirect(reverse("roster:national-job") + ("?full=1" if full else ""))
    handle, rows = national_file(villages_for(request.user), title=scope, full=full)
    record(Action.EXPORT, request=request, rows=rows, export="member_roster_national", scope=scope, full=full)
    if full:
        record(Action.REVEAL, request=request, rows=rows, export="member_roster_national", scope=scope)
    name = national_filename(scope)
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@repeat_safe
def national_job(request):
    """The national-format roster made off the request (a county's or everyone's), masked or with `?full=1` in full
    for a person who may reveal personal data (403 to anyone else, as the download): a button that starts the job,
    and the person's files of that kind made in the last day."""
    key = roster_scope_key(request.user)
    if key is None:
        raise Http404
    full = request.GET.get("full") == "1"
    if full and not request.user.has_perm("members.reveal_personal_data"):
        raise PermissionDenied
    kind = NATIONAL_FULL if full else NATIONAL
    if request.method == "POST":
        return job_started(request, kind)
    scope = roster_scope_name(request.user)
    jobs = Job.objects.filter(user=request.user, kind=kind, scope=key).order_by("-created_at")[:5]
    context = {
        "heading": f"{scope}{KINDS[kind].label}",
        "intro": JOB_INTRO + (FULL_NOTE if full else MASKED_NOTE),
        "button": "生成（Excel）",
        "jobs": jobs,
        "back_url": reverse("home"),
    }
    return render(request, "audit/job_start.html", context)
