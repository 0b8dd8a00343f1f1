"""Security events for logins (等保 8.1.4.3 audit: who logged in, failed, was locked out, logged out, from where),
and the session bookkeeping that goes with a login and a logout.

Receivers on Django's and axes' signals, because every login path (the login page, the admin login, a test's
force_login) sends them.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts import lockout
from accounts.otp import otp_required
from accounts.passwords import STATE, password_state
from accounts.sessions import session_forget, session_start, sessions_end
from audit.events import Action, record

LOGOUT_REASON = "accounts_logout_reason"  # request attribute: why the app logged the user out itself


@receiver(user_logged_in, dispatch_uid="accounts_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    session_start(request, user)
    request.session[STATE] = password_state(user)
    second_factor = otp_required(user)
    if not second_factor:
        lockout.clear(request, user)
    record(Action.LOGIN, request=request, user=user, second_factor="pending" if second_factor else None)


@receiver(user_login_failed, dispatch_uid="accounts_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    record(Action.LOGIN_FAILED, request=request, username=str(credentials.get("username") or ""))


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(
        Action.LOCKOUT,
        request=request,
        username=str(username or ""),
        failures=getattr(request, "axes_failures_since_start", None),
    )


@receiver(user_logged_out, dispatch_uid="accounts_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_forget(request.session)
    if user is not None:
        record(Action.LOGOUT, request=request, user=user, reason=getattr(request, LOGOUT_REASON, None))


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts_disabled_sessions")
def end_sessions_of_disabled_account(sender, instance, raw=False, **kwargs):
    """A disabled account is logged out everywhere at once, whichever screen disabled it."""
    if not raw and not instance.is_active:
        sessions_end(instance)
