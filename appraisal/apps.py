from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal and awards")

    def ready(self) -> None:
        from activity.closing import register
        from appraisal.exports.jobs import register_kinds
        from appraisal.rules import month_closed_by_decided_year

        register(month_closed_by_decided_year)
        register_kinds()  # a county's award report as a job (audit/jobs.py)
