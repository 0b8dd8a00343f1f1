"""manage.py disable_unused_accounts [--days N] [--dry-run] [--include-superusers]

Disables accounts nobody has logged in with for N days (default UNUSED_ACCOUNT_DAYS, 90), ends their sessions and
records an ACCOUNT_DISABLED event for each (等保 8.1.4.1 d: no idle accounts). Run it daily from cron.
Superusers are listed but kept unless --include-superusers (see accounts.services.accounts_disable_unused).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.services import accounts_disable_unused


def _last_seen(user) -> str:
    return (
        f"{user.last_login:%Y-%m-%d}"
        if user.last_login
        else _("never (made %(date)s)") % {"date": f"{user.date_joined:%Y-%m-%d}"}
    )


class Command(BaseCommand):
    help = "Disable accounts not logged in for N days (default: UNUSED_ACCOUNT_DAYS), and end their sessions."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.UNUSED_ACCOUNT_DAYS)
        parser.add_argument("--dry-run", action="store_true", help="only list the accounts, change nothing")
        parser.add_argument("--include-superusers", action="store_true", help="disable unused superusers too")

    def handle(self, *args, days: int, dry_run: bool, include_superusers: bool, **options):
        if days < 1:
            raise CommandError("--days must be at least 1")
        with translation.override(settings.LANGUAGE_CODE):
            result = accounts_disable_unused(days=days, dry_run=dry_run, include_superusers=include_superusers)
            line = (
                _("would disable: %(name)s (last login: %(seen)s)")
                if dry_run
                else _("disabled: %(name)s (last login: %(seen)s)")
            )
            for user in result.disabled:
                self.stdout.write(line % {"name": user.username, "seen": _last_seen(user)})
            for user in result.kept_superusers:
                self.stdout.write(
                    self.style.WARNING(
                        _("kept (superuser, use --include-superusers to disable): %(name)s (last login: %(seen)s)")
                        % {"name": user.username, "seen": _last_seen(user)}
                    )
                )
            summary = (
                _("%(n)d account(s) not used for %(days)d days would be disabled (dry run: nothing changed).")
                if dry_run
                else _("%(n)d account(s) not used for %(days)d days disabled.")
            )
            self.stdout.write(summary % {"n": len(result.disabled), "days": days})
