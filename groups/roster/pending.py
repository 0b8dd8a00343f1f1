"""Roster files waiting to be confirmed: kept encrypted in the database (`PendingImport`), never as a plain file.

The upload stores the file here and the importer's session keeps only its token; a job reads it back and keeps its
reconciliation (the plan the preview shows) beside it, encrypted the same way (groups/roster/import_job.py); the
confirmation deletes it in the same transaction as the import (so a dropped connection leaves either the file
waiting and nothing imported, or the import and no file); discarding deletes it; `manage.py cleanup_personal_data`
deletes any older than PENDING_IMPORT_MAX_AGE.
"""

from __future__ import annotations

import datetime
import secrets

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.db import transaction

from core import clock
from core.fields import fernet
from groups.models import PendingImport

PENDING_IMPORT_MAX_AGE = datetime.timedelta(days=1)


@transaction.atomic
def pending_store(*, user, data: bytes, filename: str) -> str:
    """Keep the uploaded file encrypted for `user`, replacing any they left waiting; returns its token."""
    PendingImport.objects.filter(user=user).delete()
    token = secrets.token_hex(16)
    PendingImport.objects.create(token=token, user=user, filename=filename[:200], content=fernet().encrypt(data))
    return token


def pending_read(*, user, token: str) -> bytes | None:
    """The waiting file, decrypted; None when there is none under this token for this person (or it is too old)."""
    row = (
        PendingImport.objects.filter(user=user, token=token, uploaded_at__gte=clock.now() - PENDING_IMPORT_MAX_AGE)
        .only("content")
        .first()
    )
    if row is None:
        return None
    try:
        return fernet().decrypt(bytes(row.content))
    except InvalidToken:  # written under a key no longer configured
        return None


def pending_keep_plan(*, user, token: str, job_id, encrypted: bytes) -> None:
    """Keep the reconciliation `job_id` made of this waiting file (already encrypted) beside it; nothing when the file
    is gone meanwhile (confirmed, discarded, replaced)."""
    PendingImport.objects.filter(user=user, token=token).update(plan=encrypted, plan_job=job_id)


def pending_plan(*, user, token: str, job_id) -> bytes | None:
    """The reconciliation `job_id` kept beside this person's waiting file, decrypted; None when there is none."""
    row = (
        PendingImport.objects.filter(
            user=user, token=token, plan_job=job_id, uploaded_at__gte=clock.now() - PENDING_IMPORT_MAX_AGE
        )
        .only("plan")
        .first()
    )
    if row is None or not row.plan:
        return None
    try:
        return fernet().decrypt(bytes(row.plan))
    except InvalidToken:
        return None


def pending_discard(*, user, token: str | None = None) -> None:
    """Remove this person's waiting file (or every one of theirs)."""
    rows = PendingImport.objects.filter(user=user)
    if token is not None:
        rows = rows.filter(token=token)
    rows.delete()


def pending_purge(*, older_than: datetime.timedelta = PENDING_IMPORT_MAX_AGE) -> int:
    """Remove every waiting file older than `older_than`; returns how many."""
    count, _ = PendingImport.objects.filter(uploaded_at__lt=clock.now() - older_than).delete()
    return count


def pending_imports_purge(*, older_than: datetime.timedelta | None = None) -> int:
    """`manage.py purge_pending_imports`: the same purge, its age given in hours by ROSTER_IMPORT_PENDING_HOURS."""
    if older_than is None:
        older_than = datetime.timedelta(hours=settings.ROSTER_IMPORT_PENDING_HOURS)
    return pending_purge(older_than=older_than)
