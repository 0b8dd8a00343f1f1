"""Lockout after repeated failures (django-axes; 等保 8.1.4.1 b: 登录失败处理).

Axes counts failed passwords by user name and by address (AXES_LOCKOUT_PARAMETERS). Wrong two-factor codes are
counted the same way (`count_failure`), and the count is cleared only once the whole login succeeded (`clear`):
for a staff account that is after the code, so knowing the password does not buy fresh guesses at the code.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def is_locked(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def count_failure(request, user) -> bool:
    """Count a wrong code as a failed login; True if that locked the account (or address) out."""
    AxesProxyHandler.user_login_failed(sender=count_failure, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def clear(request, user) -> None:
    """The login is complete: forget this account's and address's failures."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))


def locked_until(request, credentials=None):
    """When the lockout ends: the last failure of each locked group (user name, address) plus the cool-off."""
    AxesProxyHandler.update_request(request)
    cool_off = get_cool_off(request)
    if not cool_off:
        return None
    limit = get_failure_limit(request, credentials)
    last = [
        totals["last"]
        for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)
        for totals in [attempts.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))]
        if (totals["failures"] or 0) >= limit
    ]
    return max(last, default=request.axes_attempt_time or timezone.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a Chinese page saying until when logins are refused (status 429)."""
    cool_off = get_cool_off(request)
    context = {
        "until": locked_until(request, credentials),
        "minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, "accounts/locked_out.html", context, status=429)
