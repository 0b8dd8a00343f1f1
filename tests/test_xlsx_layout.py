"""The print layout every export shares (core.xlsx): widths, wrapped lines, row heights, and the printed frame."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook, load_workbook

from core.xlsx import (
    MONEY,
    Col,
    PrintTable,
    draft_filename,
    height_for,
    shown,
    signature_column,
    text_columns,
    wrapped_lines,
)


def test_a_cjk_character_takes_two_columns_and_a_latin_one_one():
    assert text_columns("abc") == 3
    assert text_columns("党小组") == 6
    assert text_columns("10、11社") == 8  # 、 is full width
    assert text_columns("（草稿）") == 8


def test_wrapped_lines_count_each_paragraph_and_the_cjk_width():
    assert wrapped_lines("", 10) == 1
    assert wrapped_lines("党小组", 10) == 1
    assert wrapped_lines("党" * 20, 10) == 5  # 40 columns in about 8.4 usable
    assert wrapped_lines("a\nb\nc", 30) == 3
    assert wrapped_lines("党" * 20, 44) == 1
    assert height_for(3) > height_for(1) >= 15


def test_a_figure_is_stored_as_it_is_shown_rounded_half_up():
    assert shown(Decimal("89.25"), "0.0") == Decimal("89.3")  # not 89.2, as half-to-even would have it
    assert shown(89.35, "0.0") == Decimal("89.4")  # a float (an SQLite average) by its shortest repr
    assert shown(Decimal("2.345"), "0.00") == Decimal("2.35")
    assert shown(7, "0.0") == 7 and shown(None, "0.0") is None


def test_a_draft_file_name_says_so_before_the_extension():
    assert draft_filename("金溪乡2026年度表彰奖励名单.xlsx", True) == "金溪乡2026年度表彰奖励名单（草稿）.xlsx"
    assert draft_filename("金溪乡2025年度表彰奖励名单.xlsx", False) == "金溪乡2025年度表彰奖励名单.xlsx"


def printed(draft=False):
    wb = Workbook()
    columns = [
        Col("序号", 6, "int"),
        Col("姓名", 10),
        Col("事迹", 20),
        Col("奖金（元）", 12, MONEY),
        signature_column(),
    ]
    t = PrintTable(wb.active, columns, title="金溪乡2025年度名单", info="中共金溪乡委员会", name="名单", draft=draft)
    t.add([1, "张三", "认真履行职责，带领党员联系群众、办实事。" * 2, Decimal("100.50")])
    t.add([2, "李四", "短", Decimal("50")])
    t.totals({4: Decimal("150.50")})
    t.capital(Decimal("150.50"))
    t.signatures()
    t.finish()
    out = BytesIO()
    wb.save(out)
    return load_workbook(BytesIO(out.getvalue()))["名单"]


def test_the_frame_title_date_made_headers_totals_capitals_and_signatures(now):
    ws = printed()
    assert ws["A1"].value == "金溪乡2025年度名单"
    assert ws["A2"].value == "中共金溪乡委员会"
    assert "制表日期：2027年6月15日" in [c.value for c in ws[2]]
    assert [c.value for c in ws[3]] == ["序号", "姓名", "事迹", "奖金（元）", "领款人签字"]
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    assert ws["D4"].number_format == '"¥"#,##0.00' and ws["D4"].alignment.horizontal == "right"
    assert ws["A4"].alignment.horizontal == "right"
    assert ws["C4"].alignment.wrap_text
    assert ws.row_dimensions[4].height >= height_for(wrapped_lines(ws["C4"].value, 20))
    assert ws.row_dimensions[5].height >= 30  # room to sign
    assert (ws["A6"].value, ws["D6"].value) == ("合计", 150.5)
    assert ws["A7"].value == "合计（大写）：人民币壹佰伍拾元零伍角（¥150.50）"
    assert ws["A9"].value.startswith("制表人：") and "审核人：" in ws["A9"].value
    assert ws.print_area == "'名单'!$A$1:$E$9"


def test_it_prints_a4_one_page_wide_with_page_numbers(now):
    ws = printed()
    assert int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.page_setup.orientation == "portrait"  # 60 columns wide fits portrait
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert not ws.oddHeader.center.text


def test_a_draft_says_so_in_the_title_and_on_every_page(now):
    ws = printed(draft=True)
    assert ws["A1"].value == "金溪乡2025年度名单（草稿）"
    assert ws.oddHeader.center.text.startswith("草稿")
