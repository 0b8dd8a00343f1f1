"""Uploaded rosters waiting for their importer to confirm or discard them (`member-imports/<user id>/` in Django's
default storage, see `groups.roster.views`). A file nobody confirmed within `ROSTER_IMPORT_PENDING_HOURS` (default a
day) is personal data with no purpose left: `pending_imports_purge` removes it (`manage.py purge_pending_imports`,
run from cron)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.storage import default_storage

from core import clock

PENDING_ROOT = "member-imports"


def pending_imports_purge(*, older_than: datetime.timedelta | None = None, storage=None) -> int:
    """Remove every waiting roster file last written before now − `older_than`; answer how many were removed."""
    storage = storage or default_storage
    age = older_than if older_than is not None else datetime.timedelta(hours=settings.ROSTER_IMPORT_PENDING_HOURS)
    cutoff = clock.now() - age
    try:
        folders, _files = storage.listdir(PENDING_ROOT)
    except FileNotFoundError:
        return 0
    removed = 0
    for folder in folders:
        _sub, files = storage.listdir(f"{PENDING_ROOT}/{folder}")
        for name in files:
            path = f"{PENDING_ROOT}/{folder}/{name}"
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                removed += 1
    return removed
