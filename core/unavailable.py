"""When the database cannot be reached: a Chinese "service unavailable" page (503, Retry-After), never a 500.

A database restart, a network cut to the PostgreSQL server or a locked SQLite file raises OperationalError (or
InterfaceError on a connection already lost). The error may come from a view, a template or a middleware (the session
and the user are loaded by middlewares, before any view), and Django turns an exception into a response at every
middleware layer, so no middleware would see most of them: the project's handler500, `server_error`, is the one place
every such error reaches (with DEBUG off; with DEBUG on a developer gets Django's technical page). Django logs it as
an error with its traceback first; this adds one line saying the answer was the 503 page.

Nothing is half-written: every write goes through a service in `transaction.atomic`, so the failed transaction is
rolled back as a whole. Django drops a broken connection at the end of the request and, with CONN_HEALTH_CHECKS,
checks a kept one before reusing it, so the first request after the database is back works again.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
try:  # psycopg's own errors, when one escapes Django's wrapping (AdminShutdown while a form's choices are read)
    import psycopg

    DATABASE_ERRORS += (psycopg.OperationalError, psycopg.InterfaceError)
except ImportError:  # SQLite only: no psycopg installed
    pass


def is_database_unavailable(exception: BaseException | None) -> bool:
    """Whether the error, or one it was raised from or while handling, is the database being out of reach."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, DATABASE_ERRORS):
            return True
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return False


def unavailable_response(request=None) -> HttpResponse:
    """The 503 page. Rendered without the request: its context processors would query the database again.

    After a form was sent it says what became of it, as `audit.submissions` left it on the request: saved (with a
    link to it), not saved (send it again), or not known (where to look; sending it again writes nothing twice).
    """
    context = {"posted": False}
    if request is not None and request.method == "POST":
        state = getattr(request, "submission_state", None)
        result = getattr(request, "submission_result", None)
        context = {
            "posted": True,
            "state": state,
            "result_url": getattr(result, "url", ""),
            "result_message": getattr(result, "message", ""),
            "check_url": getattr(request, "submission_check_url", "") or "/",
        }
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """handler500: the 503 page when the error being handled is the database's, Django's 500 page otherwise."""
    exception = sys.exc_info()[1]
    if is_database_unavailable(exception):
        logger.error("Database unavailable on %s %s (%s): answered 503", request.method, request.path, exception)
        return unavailable_response(request)
    return defaults.server_error(request, template_name)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """handler400: the session middleware turns a failed session save into SessionInterrupted (a 400); when the
    database is what failed, that is the 503 page too."""
    if is_database_unavailable(exception):
        logger.error("Database unavailable on %s %s (%s): answered 503", request.method, request.path, exception)
        return unavailable_response(request)
    return defaults.bad_request(request, exception, template_name)
