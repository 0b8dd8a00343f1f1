"""Deploy-time checks (`manage.py check --deploy`): the folders the app writes to exist and are writable.

An unwritable MEDIA_ROOT or APP_TEMP_DIR shows up only when someone uploads a file, as a generic error page; the
operator hears about it here, with the folder and the fix, before the servers take requests.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import checks


def _problem(name: str, folder: Path) -> str | None:
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"{name} ({folder}) does not exist and cannot be created: {exc.strerror}."
    if not folder.is_dir():
        return f"{name} ({folder}) is not a folder."
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"{name} ({folder}) is not writable by this user ({os.getuid()})."
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        return f"{name} ({folder}) cannot hold a file: {exc.strerror}."
    return None


@checks.register(checks.Tags.files, deploy=True)
def folders_are_writable(app_configs=None, **kwargs) -> list[checks.Error]:
    errors = []
    for name, hint_var in (("MEDIA_ROOT", "MEDIA_ROOT"), ("APP_TEMP_DIR", "APP_TEMP_DIR")):
        problem = _problem(name, Path(getattr(settings, name)))
        if problem:
            errors.append(
                checks.Error(
                    problem,
                    hint=f"Give the app servers' user write access to it (chown/chmod), or set {hint_var} to a "
                    "folder it can write.",
                    id="core.E010",
                )
            )
    return errors
