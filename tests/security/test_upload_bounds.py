"""Finding 1: an upload cannot stall the server. A 5 KB .xlsx whose sheet declares `A1:XFD1048576` (or holds one
cell far away) used to keep a worker busy until the gunicorn timeout; now every workbook is read inside fixed
bounds (declared dimension, real rows and columns, a time budget) and refused in well under 2 seconds with a Chinese
message. Uploads are refused for their size before anything is written, and unconfirmed uploads go after a day."""

from __future__ import annotations

import datetime
import os
import re
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from unittest import mock

import pytest
import requests
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core import clock
from groups.roster.importing import SHEET_LIMITS, RosterFileError, read_sheet
from groups.roster.views import SESSION_KEY
from members.models import PartyMember
from tests.members.test_import import roster, row

SHEET = "xl/worksheets/sheet1.xml"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: str, dimension: str | None) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{HEAD}{dim}<sheetData>{rows}</sheetData></worksheet>".encode()


def with_sheet(xml: bytes, part: str = SHEET, base: bytes | None = None) -> bytes:
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(base or roster([row()]))) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            dst.writestr(info.filename, xml if info.filename == part else src.read(info.filename))
    return out.getvalue()


def dimension_bomb() -> bytes:
    """The reviewer's file: the sheet declares the whole Excel grid and holds two far-apart cells."""
    rows = f'<row r="1">{cell("A1", "村")}</row><row r="1048576">{cell("XFD1048576", "x")}</row>'
    return with_sheet(sheet_xml(rows, "A1:XFD1048576"))


BOMBS = {
    "declared dimension": dimension_bomb,
    "far cell, no dimension": lambda: with_sheet(
        sheet_xml(f'<row r="1">{cell("A1", "村")}</row><row r="1048576">{cell("XFD1048576", "x")}</row>', None)
    ),
    "far column, honest dimension": lambda: with_sheet(
        sheet_xml(f'<row r="1">{cell("A1", "村")}{cell("XFD1", "x")}</row>', "A1:XFD1")
    ),
    "a cell repeated across a row": lambda: with_sheet(
        sheet_xml('<row r="1">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 20000 + "</row>", None)
    ),
    "bomb in the second sheet": lambda: with_sheet(
        sheet_xml(
            f'<row r="1">{cell("A1", "x")}</row><row r="1048576">{cell("XFD1048576", "x")}</row>', "A1:XFD1048576"
        ),
        part="xl/worksheets/sheet2.xml",
        base=roster([row()], notes=False, more_sheets={"其他": [["x"]]}),
    ),
}


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def read_within(data: bytes, seconds: float) -> str:
    """read_sheet in a thread: its message, failing (not hanging) when it takes longer than `seconds`."""
    result: dict = {}

    def run():
        try:
            read_sheet(data)
        except RosterFileError as exc:
            result["message"] = str(exc)
        else:
            result["message"] = ""

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"reading the file took more than {seconds} s"
    assert time.monotonic() - started < seconds
    return result["message"]


@pytest.mark.parametrize("kind", BOMBS)
def test_a_workbook_beyond_the_limits_is_refused_in_under_two_seconds(kind):
    data = BOMBS[kind]()
    assert len(data) < 20 * 1024
    message = read_within(data, 2.0)
    assert "模板" in message, message


def test_the_dimension_bomb_uploaded_gets_a_chinese_message_beside_the_file_and_nothing_is_kept(
    client, secretary_a1, media
):
    client.force_login(secretary_a1)
    started = time.monotonic()
    response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", dimension_bomb())})
    assert time.monotonic() - started < 2.0
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "XFD1048576" in message and "模板" in message, message
    assert SESSION_KEY not in client.session
    assert not (media.exists() and any(p.is_file() for p in media.rglob("*")))


def test_real_rows_and_columns_beyond_the_limits_are_named(settings):
    # the headings a roster needs, so that what is refused is the size and not a missing column
    head = "".join(cell(f"{c}1", h) for c, h in zip("ABCD", ["村", "姓名", "身份证号", "入党日期"], strict=True))
    far = SHEET_LIMITS.rows + 1
    far_row = with_sheet(sheet_xml(f'<row r="1">{head}</row><row r="{far}">{cell(f"A{far}", "x")}</row>', None))
    assert str(far) in read_within(far_row, 2.0)
    far_column = with_sheet(sheet_xml(f'<row r="1">{head}{cell("BZ1", "x")}</row>', None))
    assert "BZ" in read_within(far_column, 2.0)


def test_a_full_roster_still_reads(secretary_a1):
    rows = [row(name=f"王{i}", id_number=None) for i in range(3)]
    sheet = read_sheet(roster(rows))
    assert len(sheet.rows) == 3


def test_the_time_budget_stops_a_slow_sheet(monkeypatch):
    monkeypatch.setattr("groups.roster.importing.SHEET_LIMITS", mock.Mock(rows=10_000, columns=50, seconds=-1))
    data = with_sheet(sheet_xml("".join(f'<row r="{n}">{cell(f"A{n}", "x")}</row>' for n in range(1, 2000)), None))
    message = read_within(data, 2.0)
    assert "秒" in message, message


# --- size before anything is written -----------------------------------------------------------------------------


def test_an_upload_over_the_limit_is_refused_before_a_temporary_file_is_written(client, secretary_a1, settings):
    settings.UPLOAD_MAX_BYTES = settings.ROSTER_IMPORT_MAX_BYTES = 200 * 1024
    client.force_login(secretary_a1)
    big = roster([row()]) + bytes(400 * 1024)
    with mock.patch("django.core.files.uploadedfile.tempfile.NamedTemporaryFile") as temporary:
        response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", big)})
    assert not temporary.called, "the upload was written to a temporary file"
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "MB" in message and is_chinese(message)


def test_a_file_that_streams_past_the_limit_is_dropped_at_that_chunk(rf, settings):
    from core.uploads import BoundedUploadHandler, upload_refused

    settings.UPLOAD_MAX_BYTES = 1000
    request = rf.post("/")
    handler = BoundedUploadHandler(request)
    handler.handle_raw_input(None, {}, 0, b"", None)  # length unknown (chunked)
    handler.new_file("file", "名册.xlsx", "application/octet-stream", None)
    assert handler.receive_data_chunk(b"x" * 600, 0) == b"x" * 600
    from django.core.files.uploadhandler import SkipFile

    with pytest.raises(SkipFile):
        handler.receive_data_chunk(b"x" * 600, 600)
    assert upload_refused(request)


# --- unconfirmed uploads go after a day ------------------------------------------------------------------------


def test_unconfirmed_uploads_are_removed_after_a_day(client, secretary_a1, township_staff):
    from groups.models import PendingImport

    client.force_login(secretary_a1)
    response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", roster([row()]))})
    assert response.status_code == 302
    old = client.session[SESSION_KEY]["token"]
    client.force_login(township_staff)
    client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", roster([row()]))})
    fresh = client.session[SESSION_KEY]["token"]
    now = clock.now()
    PendingImport.objects.filter(token=old).update(uploaded_at=now - datetime.timedelta(hours=25))
    PendingImport.objects.filter(token=fresh).update(uploaded_at=now - datetime.timedelta(hours=2))
    call_command("purge_pending_imports", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert not PendingImport.objects.filter(token=old).exists()
    assert PendingImport.objects.filter(token=fresh).exists()
    assert PartyMember.objects.filter(name="王新").count() == 0


# --- the site keeps answering ------------------------------------------------------------------------------------


def _session(live_server, client, user) -> tuple[requests.Session, str]:
    client.force_login(user)
    s = requests.Session()
    s.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = s.get(live_server.url + reverse("roster:import"), timeout=10)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    s.cookies.set("csrftoken", page.cookies["csrftoken"])  # the cookie is Secure; the live server is plain HTTP
    return s, token


@pytest.mark.django_db(transaction=True)
def test_three_bombs_at_once_and_the_site_still_answers_within_two_seconds(live_server, client, secretary_a1):
    bomb = dimension_bomb()
    sessions = [_session(live_server, client, secretary_a1) for _ in range(3)]
    viewer, _token = _session(live_server, client, secretary_a1)

    def upload(pair):
        s, token = pair
        started = time.monotonic()
        r = s.post(
            live_server.url + reverse("roster:import"),
            data={"csrfmiddlewaretoken": token},
            files={"file": ("名册.xlsx", bomb)},
            timeout=10,
        )
        return r, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=3) as pool:
        uploads = [pool.submit(upload, pair) for pair in sessions]
        started = time.monotonic()
        home = viewer.get(live_server.url + "/", timeout=10)
        answered = time.monotonic() - started
        results = [u.result() for u in uploads]
    assert home.status_code == 200 and answered < 2.0
    for response, seconds in results:
        assert response.status_code == 200 and seconds < 2.0
        assert "XFD1048576" in response.text
