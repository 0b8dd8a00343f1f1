"""What the login code keeps about an account: its password's age and whether it must change, and its sessions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSecurity(models.Model):
    """When the password was last changed, and whether the next login must change it.

    Written by `accounts.passwords.PasswordChangeValidator.password_changed` whenever a password is saved. An
    account with no row never had its password set through the app (a factory, a fixture): its date_joined stands
    for the last change and nothing is forced.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="security", verbose_name=_("account")
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when an administrator chose the password: the account must pick its own at the next login."),
    )
    password_changed_at = models.DateTimeField(_("password changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("password state")
        verbose_name_plural = _("password states")

    def __str__(self) -> str:
        return str(self.user)


class UserSession(models.Model):
    """A session an account is logged in with, so its sessions can be ended on the server.

    Ended when an administrator sets the password, when the owner changes it (all but the session that changed it),
    and when the account is disabled: the session rows themselves are deleted, so a re-enabled account or an old
    cookie never comes back to life.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("account"))
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
