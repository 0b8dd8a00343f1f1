"""Session lifetime (idle and absolute) and ending an account's sessions on the server.

Timestamps live in the session itself, so checking them costs no query: the login time (absolute lifetime,
SESSION_MAX_HOURS) and the last time the session was seen (idle timeout, SESSION_IDLE_MINUTES), refreshed at most
once a minute so an active user's session is written about once a minute, not on every request.
Every session a user logs in with is listed in `UserSession`, so `sessions_end` can delete them all.
"""

from __future__ import annotations

import datetime
from importlib import import_module

from django.conf import settings
from django.utils import timezone

from accounts.models import UserSession

LOGIN_AT = "_accounts_login_at"  # epoch seconds of the login
SEEN_AT = "_accounts_seen_at"  # epoch seconds of the last request (to the minute)
TRACKED = "_accounts_tracked_key"  # the session key listed in UserSession
TOUCH_EVERY = 60  # seconds: how stale SEEN_AT may get before it is written again

IDLE = "idle"
TOO_LONG = "too_long"


def _store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def session_start(request, user) -> None:
    """At login: stamp the session's clock and list it under the user."""
    now = timezone.now().timestamp()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    session_track(request, user)


def session_expiry(session, now: datetime.datetime) -> str | None:
    """IDLE or TOO_LONG if this session has outlived the idle timeout or the absolute lifetime, else None."""
    t = now.timestamp()
    seen, login_at = session.get(SEEN_AT), session.get(LOGIN_AT)
    if seen is not None and t - seen > settings.SESSION_IDLE_MINUTES * 60:
        return IDLE
    if login_at is not None and t - login_at > settings.SESSION_MAX_HOURS * 3600:
        return TOO_LONG
    return None


def session_touch(session, now: datetime.datetime) -> None:
    """Note that the session is in use; sessions from before this code get their clock started here."""
    t = now.timestamp()
    session.setdefault(LOGIN_AT, t)
    if t - session.get(SEEN_AT, 0) >= TOUCH_EVERY:
        session[SEEN_AT] = t


def session_track(request, user) -> None:
    """List the request's session under the user (again if its key changed: login, password change, two-factor)."""
    key = request.session.session_key
    old = request.session.get(TRACKED)
    if key is None or key == old:
        return
    if old:
        UserSession.objects.filter(session_key=old).delete()
    # Rows older than the absolute lifetime belong to sessions that cannot be alive any more.
    cutoff = timezone.now() - datetime.timedelta(hours=settings.SESSION_MAX_HOURS)
    UserSession.objects.filter(user=user, created_at__lt=cutoff).delete()
    UserSession.objects.update_or_create(session_key=key, defaults={"user": user})
    request.session[TRACKED] = key


def session_forget(session) -> None:
    """At logout: the session is about to be flushed, so its row goes too."""
    key = session.get(TRACKED) or session.session_key
    if key:
        UserSession.objects.filter(session_key=key).delete()


def sessions_end(user, *, keep: str | None = None) -> int:
    """Delete every session of `user` on the server except `keep`; returns how many were ended."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    store = _store()
    for key in keys:
        store().delete(key)
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)
