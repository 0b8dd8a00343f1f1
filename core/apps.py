from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Building blocks every room uses (fields, forms, spreadsheets, the clock); no models, no business rules."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from core import placeholders, secrets  # noqa: F401  (secrets: registers the check that they are set)

        placeholders.apply()
