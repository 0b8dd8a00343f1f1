from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeedingConfig(AppConfig):
    """The demo township (`seed_demo`) and generated counties and provinces (`seed_scale`): uses everything, nothing
    uses it."""

    name = "seeding"
    verbose_name = _("Demo and scale data")
