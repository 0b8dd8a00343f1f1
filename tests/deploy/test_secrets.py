"""Without its secrets the app refuses to serve and says which one is missing; commands that need none still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from core.fields import fernet, lookup_hash

BASE = Path(__file__).resolve().parent.parent.parent


def run(*args: str, tmp_path) -> subprocess.CompletedProcess:
    """A fresh Python with DEBUG off and every secret empty (set, so a developer's .env cannot fill them in)."""
    secrets = dict.fromkeys(("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"), "")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DEBUG": "False", **secrets}
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, *args], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )


def test_makemigrations_needs_no_secret(tmp_path):
    result = run("manage.py", "makemigrations", "--check", "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


def test_the_deployment_check_names_every_missing_secret(tmp_path):
    result = run("manage.py", "check", "--deploy", tmp_path=tmp_path)
    assert result.returncode != 0
    for name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY"):
        assert f"{name} is not set" in result.stderr


def test_the_wsgi_application_refuses_to_start_without_them(tmp_path):
    result = run("-c", "import config.wsgi", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_encrypted_fields_refuse_to_work_without_their_keys(settings):
    settings.FIELD_HASH_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="FIELD_HASH_KEY is not set"):
        lookup_hash("510113195001011234")
    settings.FIELD_ENCRYPTION_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS is not set"):
        fernet()
