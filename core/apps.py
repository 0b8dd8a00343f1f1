import contextlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Building blocks every room uses (fields, forms, spreadsheets, the clock); no models, no business rules."""

    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from core import checks, placeholders, required, secrets  # noqa: F401  (register the checks: secrets set, folders writable)
        from core.figures import create_cache_table
        from core.tempfiles import app_temp_dir

        placeholders.apply()
        required.apply()  # an empty required field says which: 请填写议题。
        # the county figures' shared table (core.figures). Core has no models, so migrate sends it no post_migrate of
        # its own: made at the first app's (auth's), long before the groups app grants the app's role its rights
        post_migrate.connect(create_cache_table, dispatch_uid="core-figures-cache-table")
        with contextlib.suppress(OSError):  # reported by the deploy check core.E010
            app_temp_dir()  # uploads too large for memory go there (FILE_UPLOAD_TEMP_DIR)
