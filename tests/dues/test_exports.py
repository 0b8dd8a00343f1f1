"""The three dues workbooks: 党费收缴登记表 of a branch's year, the township's remittance summary, the arrears list —
the cells a person checks, A4 landscape with the headers repeated, and names that look like formulas kept as text."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from audit.models import SecurityEvent
from dues.services import assessment_set, remittance_record
from tests.dues.conftest import YEAR, month, pay
from tests.factories import PartyMemberFactory

D = Decimal


def workbook(response):
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"].split(", ")
    return load_workbook(io.BytesIO(response.content)).active


def test_the_register_lists_each_member_with_category_base_rate_months_and_totals(org, secretary_a1, login, assessed):
    pay(assessed[0], month(1), "120", months=3, voluntary="10", day=datetime.date(2027, 4, 2))
    odd = PartyMemberFactory(village=org.a1, name="=HYPERLINK(1)")
    assessment_set(member=odd, year=YEAR, category="student", acting_user=None)
    ws = workbook(login(secretary_a1).get(reverse("dues:register-xlsx", args=[org.a1.pk, YEAR])))
    assert "2027年度党费收缴登记表" in ws["A1"].value
    rows = {ws.cell(row=r, column=2).value: r for r in range(4, ws.max_row + 1)}
    r = rows["罗紫党员1"]
    assert [ws.cell(row=r, column=c).value for c in (3, 4, 5, 6)] == ["在职", D("4000"), "1%", D("40")]
    assert [ws.cell(row=r, column=7 + k).value for k in range(3)] == [D("50"), D("40"), D("40")]  # Jan incl. 10 extra
    assert ws.cell(row=r, column=19).value == D("480") and ws.cell(row=r, column=20).value == D("120")
    assert ws.cell(row=r, column=21).value == D("10")
    assert ws.cell(row=rows["=HYPERLINK(1)"], column=2).data_type == "s"  # text, never a formula
    totals = rows["合计"]
    assert ws.cell(row=totals, column=20).value == D("120")
    below = [str(ws.cell(row=k, column=1).value) for k in range(totals + 1, ws.max_row + 1)]
    assert "全年实收党费合计（大写）：人民币壹佰叁拾元整（¥130.00）" in below  # 120 assessed + 10 voluntary
    assert any("支部书记（签名）" in line and "收缴人（签名）" in line for line in below)
    assert any(line.startswith("制表人：") for line in below)
    printed_like_the_other_exports(ws)
    assert SecurityEvent.objects.filter(action="export").exists()


def test_unpaid_months_are_written_as_runs():
    from dues.exporting import month_runs

    d = datetime.date
    assert month_runs([d(2026, 5, 1), d(2026, 6, 1), d(2026, 7, 1)]) == "2026年5月至7月"
    assert month_runs([d(2025, 3, 1), d(2025, 12, 1), d(2026, 1, 1), d(2026, 4, 1)]) == (
        "2025年3月、2025年12月至2026年1月、2026年4月"
    )


def printed_like_the_other_exports(ws):
    """A4 landscape, one page wide, the column headers on every page, the page number in the footer, the date made."""
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$3:$3"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert any(str(c.value).startswith("制表日期：2027年6月15日") for c in ws[2] if c.value)
    assert [c.value for c in ws[3]][-1] not in (None, "")  # the headers fill row 3


def test_the_township_summary_has_each_branch_each_month_and_the_totals(org, township_staff, login, assessed):
    pay(assessed[0], month(4), "40", day=datetime.date(2027, 4, 3))
    pay(assessed[-1], month(4), "0.20", day=datetime.date(2027, 4, 3))
    remittance_record(village=org.a1, period_start=month(4), remitted_on=datetime.date(2027, 5, 6), acting_user=None)
    ws = workbook(login(township_staff).get(reverse("dues:township-xlsx", args=[org.ta.pk, YEAR])))
    header = [c.value for c in ws[3]]
    assert header[0] == "村党支部" and header[4] == "4月" and header[-3:] == ["全年收缴", "全年上缴", "逾期次数"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(4, ws.max_row + 1)}
    assert ws.cell(row=rows["罗紫村"], column=5).value == D("40")
    assert ws.cell(row=rows["井阳村"], column=5).value == "逾期"
    assert ws.cell(row=rows["合计"], column=5).value == D("40")
    assert D(str(ws.cell(row=rows["合计"], column=14).value)) == D("40.20")
    assert "白石村" not in rows
    assert ws.cell(row=rows["合计"] + 1, column=1).value == "全年上缴合计（大写）：人民币肆拾元整（¥40.00）"
    printed_like_the_other_exports(ws)


def test_the_arrears_list_names_the_leader_to_remind_and_the_committee_cases(org, secretary_a1, login, assessed):
    ws = workbook(login(secretary_a1).get(reverse("dues:arrears-xlsx", args=[org.a1.pk])))
    assert ws["A1"].value == "罗紫村党支部党费欠交名单"
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=4) if row[1].value]
    by_name = {r[1]: r for r in rows}
    assert by_name["罗紫党员3"][3] == "罗紫党员1"  # the group leader
    assert by_name["罗紫党员3"][7] == "报支委会研究"  # nothing paid since January 2026
    assert by_name["罗紫党员3"][5] == "2026年1月至2027年5月"  # the months as one run, up to last month
    total = next(r for r in rows if str(r[1]).startswith("合计"))
    assert total[1] == f"合计 {len(rows) - 1} 人"
    assert D(str(total[6])) == sum(D(str(r[6])) for r in rows if r is not total)
    below = [str(row[0].value) for row in ws.iter_rows(min_row=4) if row[0].value]
    assert any(line.startswith("欠交金额合计（大写）：人民币") for line in below)
    printed_like_the_other_exports(ws)
