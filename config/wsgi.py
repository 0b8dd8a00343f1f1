"""WSGI entry point (gunicorn config.wsgi): refuses to start without the secrets, naming the missing one, keeps the
workers' temporary files in APP_TEMP_DIR (core/tempfiles.py), and freezes what is loaded once per worker out of the
garbage collector's way (`freeze_loaded_app`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

from core.secrets import require_secrets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
require_secrets()
application = get_wsgi_application()

from core.tempfiles import use_app_temp_dir  # noqa: E402 - needs the settings loaded above

use_app_temp_dir()


def freeze_loaded_app() -> None:
    """Load what every request needs (the URL patterns, the Chinese message catalogue), then move everything loaded
    so far into the collector's permanent generation (`gc.freeze`): those objects live as long as the worker, yet a
    full collection walked all of them, 70–135 ms in the middle of whichever request it fell on at province scale
    (README, "Issue 18 on a fourth machine"); frozen, a full collection walks only what requests made, 6–12 ms."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports every view module and builds the patterns
    with translation.override(settings.LANGUAGE_CODE):
        translation.gettext("Party groups")
    gc.collect()
    gc.freeze()


freeze_loaded_app()
