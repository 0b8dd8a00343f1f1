"""Every Excel export of the demo township, printed by LibreOffice to PDF, as the township would print it.

`soffice --headless --convert-to pdf` prints each workbook as Calc prints it (its page setup, fit to width, repeated
headers, row heights); poppler's `pdfinfo` and `pdftotext` read the result. What is checked:

- each page is A4, numbered "第 N 页 共 M 页" with M the PDF's page count, and the whole workbook fits in a bound
  (the roster of 251 members was 19 pages before it was fitted to the width);
- one page wide: every page carries all of its sheet's column headers (a sheet split across two pages' width
  would leave some headers off each page);
- every row is tall enough for its wrapped lines: no two words on a page overlap (LibreOffice draws the lines of a
  row that is too short over the rows above and below it; tried with rows a quarter of their height, this finds
  hundreds of overlaps), every word lies inside the page, and every wrapped cell's whole text is in the PDF (with a
  bottom-aligned cell LibreOffice leaves out the lines a short row cannot show);
- the open year's award report says 草稿 on every page; the decided year's on none.

Marked `print`: skipped where LibreOffice or poppler is missing, a failure with REQUIRE_PRINT=1 (as `.ci/run` sets).
All workbooks are converted in one LibreOffice run: it is slow to start.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.print.demo_exports import download_all

pytestmark = pytest.mark.print

TOOLS = ("soffice", "pdfinfo", "pdftotext")
# The most pages each export of the demo may take (a substring of its file name → pages).
MOST_PAGES = {
    "表彰奖励名单（草稿）": 6,  # one page for each of its six sheets
    "表彰奖励名单": 9,
    "党小组考核得分": 30,
    "村党支部年终考评": 1,
    "集体经费公示": 2,
    "党员名册2": 8,
    "党员花名册模板": 2,
    "党员基本信息": 9,  # the national format: 20 columns, landscape (8 pages for 金溪乡's 251 members)
    "安全事件": 12,
    "流动党员名单": 2,
    "会议记录本": 45,  # one meeting a page: 罗紫村's 39 meetings of January to May
    "组织生活落实情况表": 1,
    "党费收缴登记表": 2,  # 罗紫村's 31 members, landscape
    "党费欠交名单": 1,
    "党费上缴汇总表": 1,
}
FOOTER = re.compile(r"第(\d+)页共(\d+)页")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        message = (
            f"{', '.join(missing)} not found (apt-get install -y libreoffice-calc poppler-utils fonts-noto-cjk): "
            "print tests skipped"
        )
        if os.environ.get("REQUIRE_PRINT") == "1":
            pytest.fail(message.replace("skipped", "are required here (REQUIRE_PRINT=1)"))
        pytest.skip(message)


def run(args: list[str], *, timeout: int = 120) -> subprocess.CompletedProcess:
    """A tool found on the PATH by `require_tools`, with arguments this module builds."""
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=timeout)  # noqa: S603


def to_pdf(workbooks: list[Path], folder: Path) -> None:
    """One LibreOffice run for all the workbooks, with a profile of its own (another running soffice is no matter)."""
    folder.mkdir()
    profile = (folder.parent / "lo-profile").as_uri()
    run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(folder)]
        + [str(w) for w in workbooks],
        timeout=600,
    )


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, in the order it is drawn (a cell's lines one after another)."""
    text = run(["pdftotext", "-raw", str(pdf), "-"]).stdout
    return text.split("\f")[:-1]


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


PAGE = re.compile(r'width="([\d.]+)" height="([\d.]+)"')


def pdf_words(pdf: Path) -> list[tuple[float, float, list[tuple[float, float, float, float, str]]]]:
    """Each page's width, height and words with their boxes (x0, y0, x1, y1, text), in points from the top left."""
    out = run(["pdftotext", "-bbox", str(pdf), "-"]).stdout
    pages = []
    for page in out.split("<page ")[1:]:
        width, height = (float(v) for v in PAGE.match(page).groups())
        words = [(float(a), float(b), float(c), float(d), html.unescape(t)) for a, b, c, d, t in WORD.findall(page)]
        pages.append((width, height, words))
    return pages


def overlapping(words: list[tuple[float, float, float, float, str]]) -> list[tuple[str, str]]:
    """Pairs of words drawn over each other: overlapping across and by a third of their height or more."""
    words = sorted(words, key=lambda w: w[1])
    pairs = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            if b[1] >= a[3]:
                break
            across = min(a[2], b[2]) - max(a[0], b[0])
            down = min(a[3], b[3]) - max(a[1], b[1])
            if across > 0.5 and down > 0.3 * min(a[3] - a[1], b[3] - b[1]):
                pairs.append((a[4], b[4]))
    return pairs


def pdf_info(pdf: Path) -> dict[str, str]:
    out = run(["pdfinfo", str(pdf)]).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def headers_of(ws) -> list[str]:
    """The column headers of a sheet: the row its page setup repeats on every printed page."""
    first = int(ws.print_title_rows.split(":")[0].strip("$"))
    return [squeeze(str(c.value)) for c in ws[first] if c.value]


@pytest.fixture
def printed(db, tmp_path):
    require_tools()
    call_command("seed_demo", password="Print-test-2026", stdout=io.StringIO())
    workbooks = download_all(tmp_path / "xlsx")
    to_pdf(workbooks, tmp_path / "pdf")
    return [(w, tmp_path / "pdf" / f"{w.stem}.pdf") for w in workbooks]


def test_every_export_prints_on_a4_one_page_wide_with_nothing_cut(printed):
    assert len(printed) == len(MOST_PAGES)
    for workbook, pdf in printed:
        name = workbook.name
        assert pdf.exists(), f"LibreOffice did not print {name}"
        info = pdf_info(pdf)
        count = int(info["Pages"])
        most = next(n for key, n in MOST_PAGES.items() if key in name)
        assert 1 <= count <= most, f"{name}: {count} pages, at most {most} expected"

        pages = [squeeze(p) for p in pdf_pages(pdf)]
        assert len(pages) == count
        for number, (width, height, words) in enumerate(pdf_words(pdf), start=1):
            assert sorted((round(width), round(height))) == [595, 842], f"{name}, page {number} is not A4"
            assert not overlapping(words), f"{name}, page {number}: text over text {overlapping(words)[:3]}"
            outside = [w[4] for w in words if w[0] < 0 or w[1] < 0 or w[2] > width + 0.5 or w[3] > height + 0.5]
            assert not outside, f"{name}, page {number}: off the page {outside[:3]}"
        for number, page in enumerate(pages, start=1):
            assert FOOTER.search(page) and FOOTER.search(page).groups() == (str(number), str(count)), (name, number)

        wb = load_workbook(workbook)
        whole = "".join(pages)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.strip() and cell.alignment.wrap_text:
                        assert squeeze(cell.value) in whole, f"{name} / {ws.title} {cell.coordinate} is cut"
        # one page wide: each page is a page of one sheet and carries every one of that sheet's column headers
        # (a sheet two pages wide would leave the headers of its right-hand columns off its left-hand pages)
        headers = {ws.title: headers_of(ws) for ws in wb.worksheets}
        for number, page in enumerate(pages, start=1):
            assert any(all(h in page for h in hs) for hs in headers.values()), (
                f"{name}: page {number} lacks some column headers (cut off to the right?)"
            )
        for title, hs in headers.items():
            assert any(all(h in page for h in hs) for page in pages), f"{name} / {title} is not printed"
        draft = "草稿" in name
        assert all(("草稿" in page) == draft for page in pages), f"{name}: 草稿 on some pages only, or wrongly"
