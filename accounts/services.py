"""Writes about accounts: a password saved, unused accounts disabled. Each records its security event."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import AccountSecurity
from accounts.passwords import STATE, password_state
from accounts.sessions import sessions_end
from audit.events import Action, record


def _actor(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def password_changed_record(*, user, request=None) -> None:
    """A password was saved for `user`, in `request` (None: a command such as seed_demo or createsuperuser).

    Set by someone else (an administrator): the account must change it at its next login, and all its sessions end.
    Set by the owner: the clock restarts, the forced change is cleared, and every session but this one ends.
    """
    actor = _actor(request)
    by_other = actor is not None and actor.pk != user.pk
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now(), "must_change_password": by_other}
    )
    own_session = request.session if (actor is not None and not by_other) else None
    sessions_end(user, keep=own_session.session_key if own_session is not None else None)
    if own_session is not None:
        own_session[STATE] = password_state(user)
    record(
        Action.PASSWORD_CHANGED, request=request, user=actor, obj=user, set_by="administrator" if by_other else "owner"
    )


@dataclass
class UnusedAccounts:
    disabled: list
    kept_superusers: list


def accounts_unused(*, days: int, now: datetime.datetime | None = None):
    """Active accounts not logged in for `days` days (never logged in: counted from when the account was made)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(last_seen=Coalesce("last_login", "date_joined"))
        .filter(last_seen__lt=cutoff)
        .order_by("username")
    )


@transaction.atomic
def accounts_disable_unused(*, days: int, dry_run: bool = False, include_superusers: bool = False) -> UnusedAccounts:
    """Disable accounts unused for `days` days (等保 8.1.4.1: no idle accounts), ending their sessions.

    Superusers are listed but kept unless `include_superusers`: disabling the last one would leave nobody able to
    administer the system (re-enabling needs the server's command line).
    """
    result = UnusedAccounts(disabled=[], kept_superusers=[])
    for user in accounts_unused(days=days):
        if user.is_superuser and not include_superusers:
            result.kept_superusers.append(user)
            continue
        result.disabled.append(user)
        if dry_run:
            continue
        # update(), not save(): this event, with its reason, is the one record of the change.
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
        sessions_end(user)
        record(
            Action.ACCOUNT_DISABLED,
            obj=user,
            reason="unused",
            days=days,
            last_login=user.last_login.isoformat() if user.last_login else None,
        )
    return result
