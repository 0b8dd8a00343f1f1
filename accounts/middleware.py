"""The gate every logged-in request passes: session still valid → two-factor given → password not due.

1. A session idle longer than SESSION_IDLE_MINUTES or older than SESSION_MAX_HOURS is logged out and sent to the
   login page with a message saying why.
2. A staff account that has not yet given its two-factor code reaches only the code pages (and logout).
3. An account whose password was set by an administrator, or is older than PASSWORD_EXPIRY_DAYS, reaches only the
   password page (and the code pages, and logout) until it picks a new one.
After the view, a session whose key changed (login, password change, code given) is listed again under its user.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _

from accounts.otp import has_phone_app, otp_pending
from accounts.passwords import session_password_reason
from accounts.sessions import IDLE, session_expiry, session_touch, session_track
from accounts.signals import LOGOUT_REASON


@cache
def _open_paths(*names: str) -> frozenset[str]:
    return frozenset(reverse(name) for name in names)


def _always_open() -> frozenset[str]:
    return _open_paths("login", "logout", "admin:logout")


def _otp_paths() -> frozenset[str]:
    return _open_paths("accounts:otp-verify", "accounts:otp-setup", "accounts:recovery-codes")


def _password_paths() -> frozenset[str]:
    return _open_paths("password_change", "password_change_done")


def _unwrapped(user):
    """The person behind the lazy stand-ins (Django's, and django-otp's around it), read now."""
    while isinstance(user, LazyObject):
        user.is_authenticated  # noqa: B018 - reads the person
        user = user._wrapped
    return user


class AccountGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The person is read here at the latest (the session, then the user with their reach); from here on the
        # request holds the object itself instead of the lazy stand-in, which otherwise answers every one of the
        # page's few hundred questions about the person through a proxy.
        request.user = _unwrapped(request.user)
        if request.user.is_authenticated:
            stop = self.gate(request)
            if stop is not None:
                return stop
        response = self.get_response(request)
        if request.user.is_authenticated and hasattr(request, "session"):
            session_track(request, request.user)
        return response

    def gate(self, request):
        now = timezone.now()
        expired = session_expiry(request.session, now)
        if expired:
            return self.expire(request, expired)
        session_touch(request.session, now)
        path = request.path_info
        if path.startswith(settings.STATIC_URL) or path in _always_open():
            return None
        if otp_pending(request.user):
            if path in _otp_paths():
                return None
            target = "accounts:otp-verify" if has_phone_app(request.user) else "accounts:otp-setup"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        if path in _otp_paths() or path in _password_paths():
            return None
        if session_password_reason(request):
            return redirect("password_change")
        return None

    def expire(self, request, reason: str):
        setattr(request, LOGOUT_REASON, reason)
        logout(request)
        if reason == IDLE:
            text = _(
                "You were logged out after %(minutes)d minutes without activity, to protect the data. "
                "Please log in again."
            ) % {"minutes": settings.SESSION_IDLE_MINUTES}
        else:
            text = _(
                "You were logged out because you had been logged in for more than %(hours)d hours. Please log in again."
            ) % {"hours": settings.SESSION_MAX_HOURS}
        messages.warning(request, text)
        return redirect_to_login(request.get_full_path())
