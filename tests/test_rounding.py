"""One rounding rule (四舍五入, half up, on Decimal) for scores, averages, percentages and money: the same figure
reads the same on the pages, in the Excel workbooks and on the 公示."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from appraisal.models import AppraisalYear, SpotCheck
from core import rounding
from core.templatetags.humanize_cn import yuan
from groups.ledger.services import yuan_text

D = Decimal


def test_half_up_on_decimal_and_on_floats_from_the_database():
    assert rounding.score(D("89.25")) == D("89.3")  # half to even would give 89.2
    assert rounding.score(89.35) == D("89.4")  # a float average: its repr, not its binary expansion
    assert rounding.score(D("-0.05")) == D("-0.1")
    assert rounding.percent(357, 400) == D("89.3")  # 89.25 %
    assert rounding.percent(1, 0) is None
    assert rounding.money(D("0.125")) == D("0.13")
    assert rounding.half_up(D("2.345"), 2) == D("2.35")


def test_money_reads_the_same_in_messages_and_on_pages():
    assert yuan(D("1234.125")) == yuan_text(D("1234.125")) == "1,234.13"


def test_a_spot_check_average_reads_the_same_on_every_page_and_in_excel(org, township_staff, client):
    year = AppraisalYear.objects.create(township=org.ta, year=2026, state=AppraisalYear.State.NOMINATING)
    for points in (D("89.0"), D("89.5")):  # average 89.25
        SpotCheck.objects.create(
            year=year, party_group=org.a1_g1, checked_on=datetime.date(2026, 5, 1), checked_by="组织委员",
            findings="记录齐全", rating=SpotCheck.Rating.GOOD, points=points,
        )  # fmt: skip
    client.force_login(township_staff)
    scores_page = client.get(reverse("appraisal:scores", args=[year.pk])).content.decode()
    awards_page = client.get(reverse("awards:year", args=[year.pk])).content.decode()
    assert "89.3" in scores_page and "89.2" not in scores_page
    assert "89.3" in awards_page and "89.2" not in awards_page
    year_score = "17.9"  # 89.25 × 20 %, half up (half to even: 17.8)
    assert year_score in scores_page and year_score in awards_page

    response = client.get(reverse("appraisal:scores-xlsx", args=[year.pk]))
    wb = load_workbook(BytesIO(response.content))
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}
    assert "89.3" in cells and year_score in cells and "89.25" not in cells


def test_excel_cells_round_by_the_one_rule_a_percentage_and_a_band_boundary_to_the_fen():
    from openpyxl import Workbook

    from core.xlsx import MONEY, Col, PrintTable, shown

    for value, fmt, places in [
        (D("89.25"), "0.0", 1), (89.35, "0.0", 1), (D("-0.05"), "0.0", 1),  # .x5 percentages and scores
        (D("1234.125"), "0.00", 2), (D("0.005"), '"¥"#,##0.00', 2), (2.675, "0.00", 2),  # fen boundaries
        (D("0.89255"), "0.0%", 3),  # a fraction shown as a percentage: 89.255 % → 89.3 %
    ]:  # fmt: skip
        assert shown(value, fmt) == rounding.half_up(value, places), (value, fmt)
    assert shown(D("0.89255"), "0.0%") == D("0.893")
    assert shown(2.675, "0.00") == D("2.68")  # the float 2.675 is 2.67499… in binary: taken by its repr

    percent = rounding.percent(357, 400)  # 89.25 %, as the award page shows a group's regular appraisal
    assert str(shown(percent, "0.0")) == str(percent) == "89.3"

    ws = Workbook().active
    table = PrintTable(ws, [Col("项目", 10), Col("金额", 12, MONEY)], title="表", info="乡")
    row = table.add(["边界", D("1234.125")])
    table.totals({2: D("1234.125")})
    capital = table.capital(D("1234.125"))
    assert ws.cell(row, 2).value == D("1234.13")
    assert yuan(D("1234.125")) == "1,234.13" and f"{ws.cell(row, 2).value:,.2f}" == "1,234.13"
    assert "¥1,234.13" in ws.cell(capital, 1).value and "壹仟贰佰叁拾肆元壹角叁分" in ws.cell(capital, 1).value
