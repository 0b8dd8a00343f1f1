"""WSGI entry point (gunicorn config.wsgi): refuses to start without the secrets, naming the missing one, and keeps
the workers' temporary files in APP_TEMP_DIR (core/tempfiles.py)."""

import os

from django.core.wsgi import get_wsgi_application

from core.secrets import require_secrets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
require_secrets()
application = get_wsgi_application()

from core.tempfiles import use_app_temp_dir  # noqa: E402 - needs the settings loaded above

use_app_temp_dir()
