from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = _("Monthly activity")

    def ready(self) -> None:
        # The project ↔ fund entry link table Django makes by itself is named in English ("Project_fund_entries
        # object (5)" on the admin's delete page): give it a Chinese name and a readable row.
        through = self.get_model("Project").fund_entries.through
        through._meta.verbose_name = through._meta.verbose_name_plural = "项目关联的经费账目"
        through.__str__ = lambda link: f"{link.project} · {link.fundentry}"
