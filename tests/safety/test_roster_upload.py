"""The roster upload against hostile and broken files: truncated or random bytes, a renamed .csv or .docx, an empty
file, zip bombs (a huge part, too many parts), XML entity bombs and external entities inside a crafted .xlsx, and
formula cells. Every one gets a clear Chinese message beside the file field (status 200, never 500), nothing is
stored and no member is saved; a bomb is refused from the zip directory, before openpyxl opens the file."""

from __future__ import annotations

import functools
import zipfile
from io import BytesIO
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from groups.roster.checks import openpyxl_uses_defusedxml
from groups.roster.importing import DATA_SHEET, RosterFileError, read_sheet
from groups.roster.views import SESSION_KEY
from members.models import PartyMember
from tests.members.test_import import roster, row


@functools.cache
def good_roster() -> bytes:
    return roster([row()])


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def uploader(org, secretary_a1, client, media):
    """`uploader(data, name)` → the file field's messages, after checking that nothing at all was kept."""
    client.force_login(secretary_a1)

    def _upload(data: bytes, name: str = "名册.xlsx") -> list[str]:
        members = PartyMember.objects.count()
        response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile(name, data)})
        assert response.status_code == 200
        messages = response.context["form"].errors.get("file", [])
        assert messages, "the file was accepted"
        assert all(is_chinese(m) for m in messages), messages
        assert PartyMember.objects.count() == members
        assert not (media.exists() and any(p.is_file() for p in media.rglob("*")))
        assert SESSION_KEY not in client.session
        return messages

    return _upload


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None, **kw) -> bytes:
    """The same workbook with some parts replaced or added."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w", kw.get("compression", 8)) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, (replace or {}).get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def zip_of(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return out.getvalue()


def with_dtd(data: bytes, part: str, dtd: str, entity: str) -> bytes:
    """The workbook with a DTD put in front of one XML part and an entity used inside it."""
    with zipfile.ZipFile(BytesIO(data)) as z:
        xml = z.read(part).decode()
    if xml.startswith("<?xml"):
        xml = xml.split("?>", 1)[1]
    if part.endswith("sheet1.xml"):
        cell = f'<row r="9"><c r="A9" t="inlineStr"><is><t>{entity}</t></is></c></row>'
        xml = xml.replace("</sheetData>", cell + "</sheetData>")
    return rezip(data, replace={part: (dtd + xml).encode()})


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1 if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + "]>"
)
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


# --- openpyxl reads XML with defusedxml ---------------------------------------------------------------------------


def test_openpyxl_parses_with_defusedxml_and_the_system_check_says_so(monkeypatch):
    assert openpyxl.DEFUSEDXML is True
    assert openpyxl_uses_defusedxml(None) == []
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    assert [e.id for e in openpyxl_uses_defusedxml(None)] == ["members.E001"]


@pytest.mark.parametrize(
    "part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "[Content_Types].xml", "xl/styles.xml"]
)
def test_an_xml_entity_bomb_inside_the_workbook_is_refused(uploader, part):
    assert uploader(with_dtd(good_roster(), part, LAUGHS, "&lol9;"))


def test_an_external_entity_inside_the_workbook_is_refused(uploader):
    messages = uploader(with_dtd(good_roster(), "xl/worksheets/sheet1.xml", XXE, "&xxe;"))
    assert not any("root:" in m for m in messages)


# --- zip bombs: refused from the directory, before openpyxl ----------------------------------------------------------


@pytest.fixture
def openpyxl_must_not_open():
    with mock.patch("groups.roster.importing.load_workbook", side_effect=AssertionError("opened a zip bomb")) as opened:
        yield
    assert not opened.called


def test_a_part_compressed_a_thousand_times_is_refused_unopened(uploader, openpyxl_must_not_open):
    bomb = rezip(good_roster(), add={"xl/media/image1.png": bytes(20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    [message] = uploader(bomb)
    assert "远远超过" in message or "解压" in message


def test_too_many_parts_are_refused_unopened(uploader, openpyxl_must_not_open, settings):
    parts = {f"xl/junk/{n}.xml": b"<a/>" for n in range(settings.ROSTER_IMPORT_MAX_PARTS + 1)}
    uploader(rezip(good_roster(), add=parts))


def test_parts_unpacking_to_too_much_in_all_are_refused_unopened(uploader, openpyxl_must_not_open, settings):
    settings.ROSTER_IMPORT_MAX_UNPACKED_BYTES = 50_000  # the good roster unpacks to less; this one to more
    noise = bytes(range(256)) * 200  # barely compressible: no single part looks like a bomb
    uploader(rezip(good_roster(), add={"xl/media/a.bin": noise}))


def test_a_good_roster_passes_the_zip_checks(org, secretary_a1, client, media):
    client.force_login(secretary_a1)
    response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", good_roster())})
    assert response.status_code == 302


def test_compression_an_xlsx_never_uses_is_refused(uploader):
    uploader(rezip(good_roster(), compression=zipfile.ZIP_BZIP2))


# --- files that are not a workbook ------------------------------------------------------------------------------


def test_an_empty_file_is_refused(uploader):
    uploader(b"")


@pytest.mark.parametrize("name", ["名册.csv", "名册.xlsx"])
def test_a_csv_file_is_refused_whatever_its_name(uploader, name):
    uploader("村,姓名,身份证号\n罗紫村,王新,510123197005060011\n".encode("gbk"), name=name)


def test_a_word_document_renamed_xlsx_is_refused(uploader):
    docx = zip_of(
        {
            "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
            "word/document.xml": b"<w:document/>",
            "_rels/.rels": b"<Relationships/>",
        }
    )
    uploader(docx, name="名册.xlsx")
    uploader(docx, name="名册.docx")


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(uploader, settings):
    settings.ROSTER_IMPORT_MAX_BYTES = len(good_roster()) - 1
    [message] = uploader(good_roster())
    assert "MB" in message


def test_a_roster_truncated_anywhere_is_refused(uploader):
    data = good_roster()
    for cut in sorted({1, 4, 30, 100, *range(200, len(data), max(1, len(data) // 12)), len(data) - 22, len(data) - 1}):
        uploader(data[:cut])


@given(st.binary(max_size=3000))
@example(b"PK\x03\x04")
@example(b"PK\x05\x06" + bytes(18))  # an empty zip directory
@hypothesis_settings(max_examples=150, deadline=None)
def test_random_bytes_are_answered_with_a_message_never_an_error(data):
    with translation.override("zh-hans"), pytest.raises(RosterFileError) as refused:
        read_sheet(data)
    assert is_chinese(str(refused.value))


@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), min_size=1, max_size=8))
@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_roster_with_damaged_bytes_is_read_or_refused_with_a_message(damage):
    """A damaged download or a bad USB stick: any bytes changed anywhere. The file is read or refused in words."""
    data = bytearray(good_roster())
    for position, value in damage:
        data[position % len(data)] = value
    try:
        with translation.override("zh-hans"):
            read_sheet(bytes(data))
    except RosterFileError as exc:
        assert is_chinese(str(exc))


# --- formulas --------------------------------------------------------------------------------------------------------


def test_a_formula_cell_is_refused_naming_the_cell(uploader):
    wb = load_workbook(BytesIO(roster([row(), row(name="王二", id_number="11010519491231002X")])))
    wb[DATA_SHEET]["C3"] = '=HYPERLINK("http://example.com","王二")'
    out = BytesIO()
    wb.save(out)
    [message] = uploader(out.getvalue())
    assert "C3" in message


@pytest.mark.parametrize("text", ["=1+1", '=cmd|" /C calc"!A0', " =SUM(A1:A2)"])
def test_a_text_cell_that_would_become_a_formula_is_refused_naming_the_cell(uploader, text):
    [message] = uploader(roster([row(**{"备注": text})]))
    assert "M2" in message and "=" in message
