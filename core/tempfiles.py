"""Temporary files of the app servers, in one folder of their own (APP_TEMP_DIR), so that what a killed worker leaves
behind — a half-received upload (a roster: full ID and phone numbers), openpyxl's sheet files of an export cut off —
is found and removed: by `manage.py cleanup_personal_data` at start-up (`make serve`) and from cron.

Django writes uploads larger than FILE_UPLOAD_MAX_MEMORY_SIZE there (FILE_UPLOAD_TEMP_DIR) and closes, so removes,
them when the request ends; openpyxl's write-only sheets use Python's temporary folder, which the WSGI entry point
points here (`use_app_temp_dir`), as does `manage.py export_roster`. Exports themselves are written to anonymous
temporary files, which the system removes with the process whatever happens.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

from django.conf import settings

T = TypeVar("T")


def app_temp_dir() -> Path:
    path = Path(settings.APP_TEMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def use_app_temp_dir() -> None:
    """Make APP_TEMP_DIR this process's temporary folder (the app servers; tests and commands keep the default)."""
    tempfile.tempdir = str(app_temp_dir())


@contextmanager
def in_app_temp_dir():
    """For a command that writes spreadsheets: its temporary files in APP_TEMP_DIR while it runs."""
    before = tempfile.tempdir
    tempfile.tempdir = str(app_temp_dir())
    try:
        yield
    finally:
        tempfile.tempdir = before


def written_file(write: Callable[[BinaryIO], T]) -> tuple[BinaryIO, T]:
    """`write(handle)` into an anonymous temporary file (gone once closed, whatever happens to the process), rewound
    for reading, with what `write` returned; closed again if `write` fails."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — handed to the caller (a response), which closes it
    try:
        result = write(handle)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, result


def remove_old_files(folder: Path, *, older_than: datetime.timedelta, patterns: tuple[str, ...] = ("*",)) -> list[Path]:
    """Remove the files under `folder` matching `patterns` last changed longer ago than `older_than`."""
    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for pattern in patterns:
        for path in folder.rglob(pattern):
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime <= cutoff:
                    path.unlink()
                    removed.append(path)
            except FileNotFoundError:  # removed meanwhile by its own process
                continue
    return removed


def remove_empty_folders(folder: Path) -> None:
    for path in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        try:
            os.rmdir(path)
        except OSError:
            continue
