"""HTTPS in production: HSTS, the redirect from plain HTTP, cookies for HTTPS only, and `check --deploy` clean
with the production variables documented in `.env.example`."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

BASE = Path(settings.BASE_DIR)


def example_environment() -> dict[str, str]:
    """`.env.example` as an operator fills it in: every variable as written there, the empty secrets generated."""
    generated = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "FIELD_HASH_KEY": secrets.token_urlsafe(32),
    }
    values = {}
    for line in (BASE / ".env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip() or generated.get(name.strip(), "")
    return values


def test_the_documented_production_settings_pass_djangos_deployment_check(tmp_path):
    """`manage.py check --deploy` warns about HSTS, the HTTPS redirect, insecure cookies, DEBUG, a weak key, ..."""
    variables = example_environment()
    assert variables["DEBUG"] == "False"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **variables}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_defaults_are_the_safe_ones():
    """With DEBUG off and nothing else set, HTTPS is required and remembered (the settings module read afresh)."""
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "False",
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "k",
        "FIELD_HASH_KEY": "h",
    }
    code = (
        "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)"
    )
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; {code}"],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.split()
    assert out == ["True", "31536000", "True", "True", "True"]


def test_an_https_response_tells_the_browser_to_keep_to_https(client, org):
    response = client.get(reverse("login"), secure=True)
    assert response.status_code == 200
    hsts = response.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts


def test_plain_http_gets_no_hsts_header(client, org):
    """HSTS over plain HTTP means nothing to browsers, and must not be sent there (`make serve` on loopback)."""
    assert "Strict-Transport-Security" not in client.get(reverse("login"))


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https(client, org):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_behind_nginx_the_forwarded_protocol_counts_as_https(client, org):
    """nginx terminates TLS and says so in X-Forwarded-Proto: no redirect loop, and HSTS is sent."""
    response = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("HTTP_X_FORWARDED_PROTO", ("HTTP_X_FORWARDED_PROTO", "https")),
        ("HTTP_X_FORWARDED_SCHEME,https", ("HTTP_X_FORWARDED_SCHEME", "https")),
        ("", None),
    ],
)
def test_the_proxy_header_is_read_from_the_environment(value, expected):
    env = {"PATH": os.environ["PATH"], "DEBUG": "True", "SECURE_PROXY_SSL_HEADER": value}
    out = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            "import os; os.environ['DJANGO_SETTINGS_MODULE']='config.settings'; "
            "from django.conf import settings; print(repr(settings.SECURE_PROXY_SSL_HEADER))",
        ],
        cwd=BASE,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    assert out == repr(expected)


@override_settings(CSRF_COOKIE_SECURE=True)
def test_the_csrf_cookie_is_for_https_only_in_production(client, org):
    """(The session cookie's flag follows SESSION_COOKIE_SECURE the same way; both default on, tested above.)"""
    cookie = client.get(reverse("login"), secure=True).cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
