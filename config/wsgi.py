"""WSGI entry point (gunicorn config.wsgi): refuses to start without the secrets, naming the missing one."""

import os

from django.core.wsgi import get_wsgi_application

from core.secrets import require_secrets

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
require_secrets()
application = get_wsgi_application()
