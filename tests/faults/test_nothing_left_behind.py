"""Nothing personal left on disk: a worker killed in the middle of an upload and of an export leaves its temporary
files in APP_TEMP_DIR, and `manage.py cleanup_personal_data` (run by `make serve` at start and from cron) removes
them; roster files waiting to be confirmed are encrypted rows, removed after a day."""

from __future__ import annotations

import datetime
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from django.core.management import call_command

from audit.models import Submission
from groups.models import PendingImport
from groups.roster.pending import pending_read, pending_store
from tests.members.test_import import ID_1, roster, row

KILLED_WORKER = textwrap.dedent(
    """
    import os, signal, django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from core.tempfiles import use_app_temp_dir
    use_app_temp_dir()  # what config/wsgi.py does in every app server
    from django.core.files.uploadedfile import TemporaryUploadedFile
    from openpyxl import Workbook
    upload = TemporaryUploadedFile("名册.xlsx", "application/octet-stream", 0, None)
    upload.write(open(os.environ["ROSTER"], "rb").read()[:2000])   # half the upload received
    upload.flush()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["罗紫村", "王新", os.environ["ID_NUMBER"]])         # an export half written
    print(upload.temporary_file_path(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_worker_killed_mid_upload_and_mid_export_leaves_nothing_after_the_cleanup(db, tmp_path, settings):
    temp = tmp_path / "app-tmp"
    settings.APP_TEMP_DIR = temp
    settings.FILE_UPLOAD_TEMP_DIR = str(temp)
    roster_file = tmp_path / "roster.xlsx"
    roster_file.write_bytes(roster([row()]))
    env = {**os.environ, "APP_TEMP_DIR": str(temp), "ROSTER": str(roster_file), "ID_NUMBER": ID_1}
    worker = subprocess.run(  # noqa: S603 - this interpreter and the script above
        [sys.executable, "-c", KILLED_WORKER], env=env, capture_output=True, text=True, cwd=settings.BASE_DIR
    )
    assert worker.returncode == -signal.SIGKILL, worker.stderr
    left = sorted(p.name for p in temp.rglob("*") if p.is_file())
    assert any(name.endswith(".upload.xlsx") for name in left)  # what the fault left: the half upload…
    assert any(name.startswith("openpyxl.") for name in left)  # …and the half-written sheet
    assert Path(worker.stdout.strip()).parent == temp

    call_command("cleanup_personal_data", "--at-start", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert [p for p in temp.rglob("*") if p.is_file()] == []


def test_the_hourly_cleanup_keeps_a_file_in_use_and_removes_a_day_old_one(db, tmp_path, settings):
    settings.APP_TEMP_DIR = tmp_path
    fresh, stale = tmp_path / "tmpfresh.upload.xlsx", tmp_path / "tmpstale.upload.xlsx"
    fresh.write_bytes(b"x")
    stale.write_bytes(b"x")
    now = time.time()  # the suite's clock: file ages are measured against it
    os.utime(fresh, (now, now))
    os.utime(stale, (now - 86460, now - 86460))
    call_command("cleanup_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert fresh.exists() and not stale.exists()


def test_a_waiting_roster_is_encrypted_and_removed_after_a_day(org, secretary_a1, frozen_at, now, tmp_path, settings):
    settings.APP_TEMP_DIR = tmp_path
    data = roster([row()])
    token = pending_store(user=secretary_a1, data=data, filename="名册.xlsx")
    stored = bytes(PendingImport.objects.get(token=token).content)
    assert ID_1.encode() not in stored and data not in stored
    assert pending_read(user=secretary_a1, token=token) == data
    frozen_at(now + datetime.timedelta(hours=23))
    call_command("cleanup_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert PendingImport.objects.filter(token=token).exists()
    frozen_at(now + datetime.timedelta(hours=25))
    assert pending_read(user=secretary_a1, token=token) is None
    call_command("cleanup_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not PendingImport.objects.exists()


def test_old_submission_keys_and_plain_roster_files_of_older_versions_are_removed(
    org, secretary_a1, tmp_path, settings
):
    settings.APP_TEMP_DIR = tmp_path / "tmp"
    settings.MEDIA_ROOT = tmp_path / "media"
    legacy = settings.MEDIA_ROOT / "member-imports" / str(secretary_a1.pk) / "abc.xlsx"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"plain roster")
    old = Submission.objects.create(key="00000000-0000-4000-8000-000000000001", user=secretary_a1)
    Submission.objects.filter(pk=old.pk).update(at=old.at - datetime.timedelta(days=31))
    call_command("cleanup_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not legacy.exists() and not Submission.objects.exists()


def test_an_unwritable_media_folder_fails_the_deploy_check_with_the_fix(tmp_path, settings):
    from core.checks import folders_are_writable

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    settings.APP_TEMP_DIR = tmp_path / "tmp"
    assert folders_are_writable() == []
    settings.MEDIA_ROOT.chmod(0o500)
    try:
        if os.access(settings.MEDIA_ROOT, os.W_OK):  # root writes anywhere: a file where the folder should be
            settings.MEDIA_ROOT = tmp_path / "file"
            settings.MEDIA_ROOT.write_text("")
        errors = folders_are_writable()
    finally:
        (tmp_path / "media").chmod(0o700)
    assert [e.id for e in errors] == ["core.E010"]
    assert "MEDIA_ROOT" in errors[0].msg and "write" in errors[0].hint


def test_make_serve_cleans_up_before_gunicorn_starts_and_the_readme_gives_the_cron_line(settings):
    """What the issue asks of the deploy: the cleanup at start (before any worker takes a request) and hourly."""
    makefile = (Path(settings.BASE_DIR) / "Makefile").read_text()
    serve = makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py cleanup_personal_data --at-start" in serve
    assert serve.index("cleanup_personal_data --at-start") < serve.index("gunicorn config.wsgi")
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert re.search(r"`0 \* \* \* \* cd \S+ && \.venv/bin/python manage\.py\s+cleanup_personal_data`", readme)


def test_an_export_that_fails_half_written_closes_its_temporary_file():
    """The exports write into an anonymous temporary file: handed on rewound when written, closed on a failure."""
    from core.tempfiles import written_file

    handle, result = written_file(lambda h: h.write("合计：共 2 人".encode()))
    assert (handle.read().decode(), result) == ("合计：共 2 人", len("合计：共 2 人".encode()))
    handle.close()
    seen = []

    def fails(h):
        seen.append(h)
        h.write(b"half a roster")
        raise RuntimeError("the database went away")

    try:
        written_file(fails)
    except RuntimeError as exc:
        assert str(exc) == "the database went away"
    else:
        raise AssertionError("the failure was swallowed")
    assert seen[0].closed
