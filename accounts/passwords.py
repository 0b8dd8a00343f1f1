"""Password age and forced change (等保 8.1.4.1: passwords changed regularly; a password an administrator chose
is replaced by the owner's own at the first login).

`PasswordChangeValidator` sits in AUTH_PASSWORD_VALIDATORS: Django calls its `password_changed` after every saved
password, whichever screen or command saved it, so no path can set a password without it being recorded.
The state is copied into the session at login, so pages check it without a query.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

STATE = "_accounts_password"  # in the session: {"changed": ISO time, "must": bool}
MUST_CHANGE = "must_change"
EXPIRED = "expired"


def password_state(user) -> dict:
    """The account's password state as stored in the session; no AccountSecurity row means set at date_joined."""
    from accounts.models import AccountSecurity

    row = AccountSecurity.objects.filter(user=user).first()
    changed = (row.password_changed_at if row else None) or user.date_joined
    return {"changed": changed.isoformat(), "must": bool(row and row.must_change_password)}


def password_change_reason(state: dict | None, now: datetime.datetime) -> str | None:
    """MUST_CHANGE, EXPIRED (older than PASSWORD_EXPIRY_DAYS; 0 = never) or None."""
    if not state:
        return None
    if state.get("must"):
        return MUST_CHANGE
    days = settings.PASSWORD_EXPIRY_DAYS
    changed = parse_datetime(state.get("changed") or "")
    if days and changed is not None and changed + datetime.timedelta(days=days) <= now:
        return EXPIRED
    return None


def session_password_reason(request) -> str | None:
    """Why this session's user must change the password now, loading the state into the session the first time."""
    if STATE not in request.session:
        request.session[STATE] = password_state(request.user)
    return password_change_reason(request.session[STATE], timezone.now())


class PasswordChangeValidator:
    """Refuses the current password as the new one, and records every saved password (see the module docstring)."""

    def validate(self, password: str, user=None) -> None:
        # Without this a forced or expired change could hand back the same password.
        if user is not None and user.pk and user.has_usable_password() and user.check_password(password):
            raise ValidationError(
                _("The new password must differ from the current one. Choose a password you have not used here."),
                code="password_unchanged",
            )

    def password_changed(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        from accounts.services import password_changed_record
        from audit.addresses import current_request

        password_changed_record(user=user, request=current_request())

    def get_help_text(self) -> str:
        days = settings.PASSWORD_EXPIRY_DAYS
        if days:
            return _("It must differ from the current password, and is to be changed every %(days)d days.") % {
                "days": days
            }
        return _("It must differ from the current password.")
