"""Lockout after repeated failures (django-axes; 等保 8.1.4.1 b: 登录失败处理), shaped so it cannot be used as a weapon.

- Counted per (account, address) (AXES_LOCKOUT_PARAMETERS): a guesser locks out only their own address for that
  account, never the owner at their desk nor the colleagues behind the same office NAT address.
- Progressive: the first lock of an (account, address) lasts LOGIN_LOCKOUT_MINUTES, each further lock of the same
  pair within a day twice as long as the one before, up to LOGIN_LOCKOUT_MAX_MINUTES (`cool_off`).
- Fixed window: each attempt row carries its own end (axes' AccessAttemptExpiration, AXES_USE_ATTEMPT_EXPIRATION);
  tries made while locked are refused without being counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off), so
  hammering the login page does not push the end further out (`LockoutHandler`).
- Lifted early by the person themselves with their phone app's code (`accounts:unlock`), or by the account
  administrator in the admin; either is kept as an UNLOCKED security event (`unlock`).

Wrong two-factor codes are counted the same way (`count_failure`), and the count is cleared only once the whole
login succeeded (`clear`): for a staff account that is after the code, so knowing the password does not buy fresh
guesses at the code.
"""

from __future__ import annotations

import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from audit.addresses import client_ip
from audit.events import Action, record

LOCKS_REMEMBERED = datetime.timedelta(days=1)  # earlier locks of the same pair within this make the next one longer


def _username(request) -> str:
    credentials = getattr(request, "axes_credentials", None) or {}
    name = credentials.get("username") or request.POST.get("username")
    user = getattr(request, "user", None)
    if not name and user is not None and user.is_authenticated:
        name = user.get_username()
    return str(name or "")


def cool_off(request) -> datetime.timedelta:
    """AXES_COOLOFF_TIME: how long a lock of this (account, address) lasts, doubling with each earlier lock of the
    same pair within a day. Asked by axes when it stores a failure (the end it writes on the attempt row)."""
    from audit.models import SecurityEvent

    base = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    longest = datetime.timedelta(minutes=settings.LOGIN_LOCKOUT_MAX_MINUTES)
    if request is None:
        return base
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    earlier = SecurityEvent.objects.filter(
        action=Action.LOCKOUT, username=_username(request), ip=ip, at__gte=timezone.now() - LOCKS_REMEMBERED
    ).count()
    return min(base * 2 ** min(earlier, 16), longest)


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with each attempt row in force until its own end (written when the failure was
    stored) instead of a cool-off counted back from now: so a longer lock of one pair is never shortened by a shorter
    cool-off computed for another, and nothing a locked-out person does moves the end."""

    def get_user_attempts(self, request, credentials=None):
        now = timezone.now()
        attempts_list = self.filter_user_attempts(request, credentials)
        return [attempts.filter(expiration__expires_at__gt=now) for attempts in attempts_list]

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is not None and getattr(request, "axes_locked_out", False):
            request.axes_credentials = credentials  # refused while locked: not counted, not a new lockout
            return
        super().user_login_failed(sender, credentials, request, **kwargs)


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def is_locked(request, user) -> bool:
    return AxesProxyHandler.is_locked(request, _credentials(user))


def count_failure(request, user) -> bool:
    """Count a wrong code as a failed login; True if that locked this account out at this address."""
    AxesProxyHandler.update_request(request)
    request.axes_credentials = _credentials(user)
    AxesProxyHandler.user_login_failed(sender=count_failure, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def clear(request, user) -> None:
    """The login is complete: forget this account's failures at this address."""
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))


def unlock(request, username: str, *, how: str, attempts=None) -> int:
    """Lift a lock: this account at this address (the person, by their phone app), or the given attempt rows (the
    account administrator). Kept as an UNLOCKED event saying by whom and how."""
    if attempts is None:
        AxesProxyHandler.update_request(request)
        attempts = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
    rows = list(attempts.values_list("username", "ip_address"))
    count, _ = attempts.delete()
    for name, ip in sorted(set(rows)):
        record(Action.UNLOCKED, request=request, username=name if how == "second factor" else "", how=how,
               username_locked=name, address=ip)
    return count


def locked_until(request, credentials=None):
    """When the lockout of this account at this address ends (the stored end of its attempt rows)."""
    AxesProxyHandler.update_request(request)
    ends = [
        attempts.aggregate(end=Max("expiration__expires_at"))["end"]
        for attempts in AxesProxyHandler.get_implementation().get_user_attempts(request, credentials)
    ]
    ends = [end for end in ends if end is not None]
    if ends:
        return max(ends)
    cool = get_cool_off(request)
    return (request.axes_attempt_time or timezone.now()) + cool if cool else None


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: a Chinese page saying until when logins are refused (status 429)."""
    if credentials:
        request.axes_credentials = credentials
    until = locked_until(request, credentials)
    return render(request, "accounts/locked_out.html", {"until": until}, status=429)
