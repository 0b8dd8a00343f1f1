"""The 公示 sheet as Excel: opened with openpyxl, as the township would open it."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from groups.ledger.exporting import HEADER_ROW, YUAN_FORMAT, put_text
from groups.ledger.services import decision_record, fund_entry_post, fund_entry_reverse
from groups.models import FundEntry

INCOME, EXPENSE = FundEntry.Direction.INCOME, FundEntry.Direction.EXPENSE
Cat = FundEntry.Category
PERIOD = {"start": "2025-01-01", "end": "2025-12-31"}
COL = {"no": 1, "date": 2, "direction": 3, "category": 4, "counterparty": 5, "purpose": 6, "income": 7, "expense": 8}
COL |= {"balance": 9, "decision": 10}


def post(vg, amount, direction=INCOME, *, day, category=None, counterparty="乡政府", purpose="补助", decision=None):
    return fund_entry_post(
        villager_group=vg,
        entry_date=day,
        direction=direction,
        amount=Decimal(amount),
        category=category or (Cat.SUBSIDY if direction == INCOME else Cat.OTHER),
        counterparty=counterparty,
        purpose=purpose,
        decision=decision,
        acting_user=None,
    )


@pytest.fixture
def vg(org):
    vg = org.a1_vgs[0]
    post(vg, "300.00", day=datetime.date(2024, 11, 1), purpose="上年结余")
    decision = decision_record(
        villager_group=vg,
        held_on=datetime.date(2025, 5, 18),
        subject="河堰转包收入投入1公里社道路",
        basis="households",
        entitled=45,
        present=40,
        votes_for=37,
        publicised_on=datetime.date(2025, 5, 21),
        acting_user=None,
    )
    post(vg, "2150.00", day=datetime.date(2025, 4, 6), category=Cat.CONTRACTING, counterparty="=SUM(A1)")
    post(vg, "0.10", day=datetime.date(2025, 4, 7), counterparty="+86 139", purpose="@利息")
    mistake = post(vg, "20.00", EXPENSE, day=datetime.date(2025, 5, 1), counterparty="-1", purpose="误记")
    fund_entry_reverse(entry=mistake, entry_date=datetime.date(2025, 5, 2), reason="=1+1", acting_user=None)
    post(
        vg,
        "2300.05",
        EXPENSE,
        day=datetime.date(2025, 6, 12),
        category=Cat.CONSTRUCTION,
        counterparty="祝高友碎石厂",
        purpose="修建社道路1公里",
        decision=decision,
    )
    post(vg, "99.00", day=datetime.date(2026, 1, 9), purpose="下一年")
    return vg


def download(client, vg, params=PERIOD, language="zh-hans"):
    return client.get(reverse("funds:disclosure-xlsx", args=[vg.pk]), params, HTTP_ACCEPT_LANGUAGE=language)


def workbook(response):
    return load_workbook(BytesIO(response.content))


def entry_rows(ws):
    """The rows between the opening-balance row and the totals row."""
    last = next(r for r in range(HEADER_ROW + 2, ws.max_row + 1) if ws.cell(r, COL["no"]).value is None)
    return list(range(HEADER_ROW + 2, last)), last


def test_it_downloads_as_an_xlsx_attachment_with_a_chinese_filename(vg, secretary_a1, login):
    response = download(login(secretary_a1), vg)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('东河乡罗紫村1社')}" in disposition
    assert "20250101-20251231" in disposition
    assert 'filename="fund-disclosure-' in disposition  # an ASCII fallback for old clients
    assert "no-store" in response["Cache-Control"].split(", ")


def test_the_headers_are_frozen_and_printed_on_every_a4_page(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg, language="en")).worksheets[0]
    headers = [ws.cell(HEADER_ROW, c).value for c in range(1, 11)]
    assert headers[:3] == ["No.", "Date", "Income or expense"]
    assert headers[6:9] == ["Income (yuan)", "Expense (yuan)", "Balance (yuan)"]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert "罗紫村1社" in ws["A1"].value
    assert ws["A2"].value.startswith("东河乡罗紫村1社")
    assert "制表日期：2027年6月15日" in [ws.cell(2, c).value for c in range(1, 11)]
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"


def test_under_the_totals_the_amounts_are_in_capitals_and_there_is_a_signature_line(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    lines = [ws.cell(r, 1).value for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert "本期收入合计（大写）：人民币贰仟壹佰伍拾元零壹角（¥2,150.10）" in lines
    assert "本期支出合计（大写）：人民币贰仟叁佰元零伍分（¥2,300.05）" in lines
    assert any(str(v).startswith("期末结余（大写）：人民币") for v in lines)
    assert any(str(v).startswith("制表人：") for v in lines)


def test_the_headers_follow_the_language_of_the_page(vg, secretary_a1, login):
    with translation.override("zh-hans"):
        expected = translation.gettext("Income (yuan)")
        ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    assert ws.cell(HEADER_ROW, COL["income"]).value == expected


def test_amounts_are_numbers_in_yuan_format_and_dates_are_dates(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    rows, totals = entry_rows(ws)
    assert len(rows) == 5  # 2025 only: contracting, interest, mistake, its reversal, road
    first = rows[0]
    assert ws.cell(first, COL["date"]).value == datetime.datetime(2025, 4, 6)
    assert ws.cell(first, COL["income"]).value == 2150
    assert ws.cell(first, COL["income"]).number_format == YUAN_FORMAT
    assert ws.cell(first, COL["balance"]).number_format == YUAN_FORMAT
    for r in rows:
        for c in (COL["income"], COL["expense"], COL["balance"]):
            value = ws.cell(r, c).value
            assert value is None or isinstance(value, int | float)
    opening = ws.cell(HEADER_ROW + 1, COL["balance"]).value
    assert opening == 300


def test_a_reversal_reads_as_a_reversal_not_as_income(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    rows, _ = entry_rows(ws)
    kinds = [ws.cell(r, COL["direction"]).value for r in rows]
    assert kinds == ["收入", "收入", "支出", "冲销", "支出"]  # the reversal of an expense is not shown as 收入
    reversal = rows[3]
    assert "冲销2025年5月1日的记录" in ws.cell(reversal, COL["purpose"]).value
    assert ws.cell(reversal, COL["income"]).value is None and ws.cell(reversal, COL["expense"]).value == -20


def test_the_totals_row_adds_up(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    rows, totals = entry_rows(ws)

    def cents(value) -> Decimal:
        return Decimal(str(value or 0)).quantize(Decimal("0.01"))

    income = sum(cents(ws.cell(r, COL["income"]).value) for r in rows)
    expense = sum(cents(ws.cell(r, COL["expense"]).value) for r in rows)
    assert income == cents(ws.cell(totals, COL["income"]).value) == Decimal("2150.10")  # a reversal is not income
    assert expense == cents(ws.cell(totals, COL["expense"]).value) == Decimal("2300.05")  # it nets off
    opening = cents(ws.cell(HEADER_ROW + 1, COL["balance"]).value)
    closing = cents(ws.cell(totals, COL["balance"]).value)
    assert opening + income - expense == closing == Decimal("150.05")
    assert cents(ws.cell(rows[-1], COL["balance"]).value) == closing
    assert ws.cell(totals, COL["income"]).number_format == YUAN_FORMAT


def test_text_that_looks_like_a_formula_stays_text(vg, secretary_a1, login):
    ws = workbook(download(login(secretary_a1), vg)).worksheets[0]
    rows, _ = entry_rows(ws)
    cells = {ws.cell(r, c).value: ws.cell(r, c) for r in rows for c in (COL["counterparty"], COL["purpose"])}
    for typed in ("=SUM(A1)", "+86 139", "-1", "@利息"):
        cell = cells[typed]
        assert cell.data_type == "s", typed
        assert cell.quotePrefix, typed
    assert cells["祝高友碎石厂"].data_type == "s"
    reversal_purpose = next(v for v in cells if isinstance(v, str) and "=1+1" in v)
    assert cells[reversal_purpose].data_type == "s"
    assert not any(
        ws.cell(r, c).data_type == "f" for r in range(1, ws.max_row + 1) for c in range(1, ws.max_column + 1)
    )


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1", "-2", "@A1", "\tcmd", "\rcmd", "plain"])
def test_put_text_never_writes_a_formula(typed):
    from openpyxl import Workbook

    wb = Workbook()
    put_text(wb.active, 1, 1, typed)
    out = BytesIO()
    wb.save(out)
    cell = load_workbook(BytesIO(out.getvalue())).active["A1"]
    assert cell.value.replace("\r", "\n") == typed.replace("\r", "\n")  # XML reads a lone CR as LF
    assert cell.data_type == "s"
    assert cell.quotePrefix is (typed != "plain")


def test_the_decisions_cited_are_on_their_own_sheet(vg, secretary_a1, login):
    wb = workbook(download(login(secretary_a1), vg))
    ws = wb.worksheets[1]
    assert "罗紫村1社" in ws["A1"].value  # under the title, the township and the villager group, the date made
    assert ws.freeze_panes == "A4"
    assert ws.cell(4, 1).value == datetime.datetime(2025, 5, 18)
    assert ws.cell(4, 2).value == "河堰转包收入投入1公里社道路"
    assert [ws.cell(4, c).value for c in (4, 5, 6)] == [45, 40, 37]
    assert ws.cell(5, 1).value is None  # one decision, then the 制表人 / 审核人 line
    assert int(ws.page_setup.paperSize) == 9  # A4


def test_another_villages_workbook_is_not_found(vg, secretary_a2, township_b_staff, login):
    assert download(login(secretary_a2), vg).status_code == 404
    assert download(login(township_b_staff), vg).status_code == 404


def test_the_county_viewer_may_download(vg, county_viewer, login):
    assert download(login(county_viewer), vg).status_code == 200
