"""Refusing to serve without the secrets: the WSGI start (gunicorn, runserver) stops, naming the missing secret,
and `manage.py check --deploy` lists them.

Settings leave a missing secret empty instead of raising while they load (see `config.settings._required`), so
the refusal lives here, where its message reaches the operator. Commands that need no secret (makemigrations, help)
still run; the encrypted fields refuse to read or write without their keys (`core.fields`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def _message(name: str) -> str:
    return (
        f"{name} is not set. With DEBUG off it must come from the environment or .env "
        f"(see .env.example; `make run` writes a .env with fresh random values for development)."
    )


@checks.register(checks.Tags.security, deploy=True)
def secrets_are_set(app_configs=None, **kwargs) -> list[checks.Error]:
    return [checks.Error(_message(name), id="township.E001") for name in settings.MISSING_SECRETS]


def require_secrets() -> None:
    """Stop a serving process at start when a secret is missing, naming it."""
    if settings.MISSING_SECRETS:
        raise ImproperlyConfigured(" ".join(_message(name) for name in settings.MISSING_SECRETS))
