from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupsConfig(AppConfig):
    name = "groups"
    verbose_name = _("Party groups")

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from groups.ledger.append_only import drop_balance_triggers, reinstall_after_migrate
        from groups.ledger.guards import grant_app_role_after_migrate
        from groups.roster import checks  # noqa: F401 (registers the defusedxml check for roster uploads)
        from groups.roster.jobs import register_kinds

        register_kinds()  # the roster as a job (audit/jobs.py)

        pre_migrate.connect(drop_balance_triggers, sender=self, dispatch_uid="groups-ledger-balances")
        post_migrate.connect(reinstall_after_migrate, sender=self, dispatch_uid="groups-ledger-append-only")
        post_migrate.connect(grant_app_role_after_migrate, sender=self, dispatch_uid="groups-app-database-role")
