"""Every write happens once: the one-time key each form is issued with, and the helper that keeps it.

A form that creates or changes business data carries a hidden `submission_key` (a fresh UUID each time the form is
shown: `{% load submissions %}{% submission_key %}` next to `{% csrf_token %}`). The view hands its write to
`submit_once`, which, in one transaction, first claims the key (a row in `audit.Submission`, unique in the database)
and then runs the write. So:

- a second submission of the same form — a double click, a browser retry, a resubmit after the 503 page, or the
  browser's back button and 保存 pressed again on the same values (the page keeps the key it was sent with in its
  history entry: static/js/submit-once.js) — finds the key already stored and is answered with the first result and
  "已保存，未重复登记", without writing again; the key is claimed together with what the form says, so the same
  form changed after going back is a new submission and is saved;
- two submissions racing on two workers both try to insert the key: the database lets one through and the other,
  once the first commits, fails on the unique key, its own write rolled back with it, and is answered the same way;
- a write that fails (a validation error, the connection lost before the commit) stores no key either, so the form
  can simply be sent again.

`submit_once` also tells the error page how far the request got (`request.submission_state`): still writing (nothing
was saved), committing (the outcome is unknown: look at `check_url`), or saved (what was saved and where it is), so a
database error after the commit never tells anyone that a saved write was lost.

A form posted without a key (an old page still open in a browser, a script) is written as before, without the
guarantee. Submit buttons also disable themselves after the first click (static/js/submit-once.js), but the key is
the guarantee: the script is only a courtesy.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, InterfaceError, OperationalError, connections, transaction
from django.http import HttpResponseRedirect

from audit.models import Submission

KEY_FIELD = "submission_key"
REPEATED = "已保存，未重复登记"

# request.submission_state while a write is under way, for the error pages (core.unavailable)
WRITING, COMMITTING, SAVED = "writing", "committing", "saved"


@dataclass
class Result:
    """Where a saved write is seen, and the message that says what was saved (worked out inside the transaction)."""

    url: str
    message: str = ""
    level: int = messages.SUCCESS


def new_key() -> str:
    return str(uuid.uuid4())


def submitted_key(request) -> uuid.UUID | None:
    """The key this submission is claimed under, or None (no key, or not a key): the form's one-time key joined with
    what the form says (`_said`). The same form sent again with the same values (a double click, a retry, the
    browser's back button and 保存 again: static/js/submit-once.js gives the page back the key it was sent with) is
    the same submission; the same form changed after going back (the next activity typed over the last) is a new one,
    and is saved."""
    raw = request.POST.get(KEY_FIELD, "")
    if not raw:
        return None
    try:
        issued = uuid.UUID(raw)
    except ValueError:
        return None
    return claim_key(issued, request.POST, request.FILES)


def claim_key(issued: uuid.UUID, post, files=None) -> uuid.UUID:
    """The key a form issued `issued` is claimed under when it says `post` (and sends `files`)."""
    return uuid.uuid5(issued, _said(post, files or {}))


# Fields that change between two showings of the same form without the person changing anything: the CSRF token's
# mask, the key itself, and the version a page is read at (a page the browser shows again after its own save carries
# the version that save made).
NOT_SAID = frozenset({"csrfmiddlewaretoken", KEY_FIELD, "version"})


def _said(post, files) -> str:
    """What the submitted form says, as a digest: every field's values in order, and each file's name and size."""
    digest = hashlib.sha256()
    for name in sorted(post):
        if name not in NOT_SAID:
            for value in post.getlist(name):
                digest.update(f"{name}\0{value}\0".encode())
    for name in sorted(files):
        for upload in files.getlist(name):
            digest.update(f"{name}\0{upload.name}\0{upload.size}\0".encode())
    return digest.hexdigest()


def prior_result(request, key: uuid.UUID | None) -> Submission | None:
    """The stored submission under this key, when it was this person's (another person's key is refused)."""
    if key is None:
        return None
    prior = Submission.objects.filter(key=key).first()
    if prior is not None and prior.user_id != getattr(request.user, "pk", None):
        raise PermissionDenied
    return prior


def _repeated(request, prior: Submission) -> HttpResponseRedirect:
    messages.info(request, REPEATED)
    return HttpResponseRedirect(prior.result_url or "/")


def repeat_safe(view):
    """Answer a repeated submission before the view looks at anything: a page whose object the first submission
    deleted or moved on (an activity deleted, a year decided) would otherwise answer the repeat with an error."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method == "POST":
            prior = prior_result(request, submitted_key(request))
            if prior is not None:
                return _repeated(request, prior)
        return view(request, *args, **kwargs)

    wrapped.repeat_safe = True  # for the test that every view taking a POST is wrapped (copied up by @wraps)
    return wrapped


def submit_once(request, write: Callable[[], Result], *, check_url: str) -> HttpResponseRedirect:
    """Run `write` at most once for this form's key and redirect to what it saved.

    `write` calls the service(s) and returns a `Result` (reading whatever the message needs inside the transaction);
    a ValidationError from it reaches the caller with nothing stored. `check_url` is where the person can see whether
    the write was saved when the outcome cannot be known (the connection lost during the commit).
    """
    key = submitted_key(request)
    prior = prior_result(request, key)
    if prior is not None:
        return _repeated(request, prior)
    request.submission_check_url = check_url
    request.submission_state = WRITING
    try:
        with transaction.atomic():
            stored = None
            if key is not None:
                with transaction.atomic():  # the claim: a racing twin waits here until this one commits or not
                    stored = Submission.objects.create(key=key, user=request.user, path=request.path[:300])
            with disconnects_surface():
                result = write()
            if stored is not None:
                stored.result_url, stored.message = result.url[:500], result.message[:500]
                stored.save(update_fields=["result_url", "message"])
            request.submission_state = COMMITTING
            transaction.on_commit(lambda: _saved(request, result))
    except IntegrityError:
        request.submission_state = None
        prior = prior_result(request, key)
        if prior is None:
            raise
        return _repeated(request, prior)
    if result.message:
        messages.add_message(request, result.level, result.message)
    return HttpResponseRedirect(result.url)


@contextmanager
def disconnects_surface(using: str = DEFAULT_DB_ALIAS):
    """A lost connection is a lost connection, never a validation message.

    Django checks a conditional unique constraint (one active party group per member, …) in `full_clean` with a
    query, and when that query fails it logs a warning and reports the constraint as violated (`Q.check`): during a
    dropped connection a correct roster was answered "该党员已编入一个党小组…". Any disconnect seen while `write` runs
    is raised again in place of the ValidationError it turned into, so the person gets the 503 page.
    """
    lost: list[Exception] = []

    def watch(execute, sql, params, many, context):
        try:
            return execute(sql, params, many, context)
        except (OperationalError, InterfaceError) as exc:
            lost.append(exc)
            raise

    with connections[using].execute_wrapper(watch):
        try:
            yield
        except ValidationError as exc:
            if lost:
                raise lost[0] from exc
            raise


def _saved(request, result: Result) -> None:
    request.submission_state = SAVED
    request.submission_result = result
