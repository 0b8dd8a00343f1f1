"""The year's award report as Excel: opened with openpyxl, as the township's clerk would open it to print and stamp."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from appraisal.exports.award_report import FIRST_ROW, HEADER_ROW, award_report_workbook
from appraisal.models import AppraisalYear, Award, ReserveCandidate
from core.xlsx import DATE_FORMAT, YUAN_FORMAT
from tests.factories import CountyFactory, PartyMemberFactory, TownshipFactory, grow_township

Kind, Status = Award.Kind, Award.Status
DECIDED_AT = timezone.make_aware(datetime.datetime(2025, 12, 26, 10, 30))
ISSUED_ON = datetime.date(2025, 12, 28)
SHEETS_EN = [
    "Summary",
    "advanced party group",
    "excellent party group leader",
    "excellent party member",
    "excellent-leader streak bonus",
    "Reserve and recommended cadres",
]


def award(year, kind, *, village, member=None, group=None, amount, status=Status.DECIDED, reason="工作突出"):
    return Award.objects.create(
        year=year,
        kind=kind,
        status=status,
        village=village,
        member=member,
        party_group=group,
        amount=Decimal(amount),
        reason=reason,
        decided_at=DECIDED_AT if status == Status.DECIDED else None,
    )


def past_year(township, y):
    return AppraisalYear.objects.create(township=township, year=y, state=AppraisalYear.State.DECIDED)


@pytest.fixture
def year(org):
    """东河乡 2025, decided: awards in both villages, one still nominated, a streak, the reserve lists."""
    y = AppraisalYear.objects.create(
        township=org.ta,
        year=2025,
        state=AppraisalYear.State.DECIDED,
        issuing_unit="中共东河乡委员会",
        issued_on=ISSUED_ON,
    )
    leader = org.a1_g1_members[0]  # elected leader of 罗紫一二社党小组
    for past in (2023, 2024):
        award(past_year(org.ta, past), Kind.EXCELLENT_LEADER, village=org.a1, member=leader, amount="100")
    award(y, Kind.ADVANCED_GROUP, village=org.a1, group=org.a1_g1, amount="200", reason='=HYPERLINK("x")')
    award(y, Kind.ADVANCED_GROUP, village=org.a2, group=org.a2_g1, amount="200")
    award(y, Kind.EXCELLENT_LEADER, village=org.a1, member=leader, group=org.a1_g1, amount="100")
    award(y, Kind.EXCELLENT_MEMBER, village=org.a1, member=org.a1_g1_members[2], amount="50")
    award(y, Kind.EXCELLENT_MEMBER, village=org.a2, member=org.a2_members[1], amount="50.50")
    formula_1 = PartyMemberFactory(village=org.a1, name="=1+1")
    formula_2 = PartyMemberFactory(village=org.a1, name="@SUM(A1)")
    award(y, Kind.EXCELLENT_MEMBER, village=org.a1, member=formula_1, amount="50", reason="-5")
    award(y, Kind.EXCELLENT_MEMBER, village=org.a1, member=formula_2, amount="50", reason="+86")
    award(y, Kind.EXCELLENT_MEMBER, village=org.a1, member=org.a1_g2_members[0], amount="50", status=Status.NOMINATED)
    award(y, Kind.STREAK_BONUS, village=org.a1, member=leader, amount="500", reason="连续三年优秀党小组长")
    ReserveCandidate.objects.create(
        year=y, list=ReserveCandidate.List.VILLAGE_THREE_POSTS, member=leader, village=org.a1, reason="连续三年优秀"
    )
    ReserveCandidate.objects.create(
        year=y, list=ReserveCandidate.List.COUNTY_RECOMMENDED, member=org.a2_members[1], village=org.a2, reason="双带"
    )
    # township B's year: never in township A's report
    yb = AppraisalYear.objects.create(township=org.tb, year=2025, state=AppraisalYear.State.DECIDED)
    award(yb, Kind.ADVANCED_GROUP, village=org.b1, group=org.b1_g1, amount="200")
    return y


def url(year):
    return reverse("reports:award-report", args=[year.pk])


def download(client, year, language="en"):
    return client.get(url(year), HTTP_ACCEPT_LANGUAGE=language)


def open_wb(content: bytes):
    return load_workbook(BytesIO(content))


def headers(ws) -> dict[str, int]:
    return {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(HEADER_ROW, c).value}


def body_rows(ws) -> tuple[list[int], int]:
    """The numbered rows of a list and its totals row."""
    total = next(r for r in range(FIRST_ROW, ws.max_row + 1) if ws.cell(r, 1).value in ("Total", "合计"))
    return list(range(FIRST_ROW, total)), total


def cents(value) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def column_values(ws, header: str) -> list:
    rows, _ = body_rows(ws)
    c = headers(ws)[header]
    return [ws.cell(r, c).value for r in rows]


@pytest.fixture
def en_wb(year, township_staff, login):
    response = download(login(township_staff), year)
    assert response.status_code == 200
    return open_wb(response.content)


# --- the download ---------------------------------------------------------------------------------------------


def test_it_downloads_as_an_xlsx_attachment_with_a_chinese_filename(year, township_staff, login):
    response = download(login(township_staff), year, language="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('东河乡')}" in disposition
    assert "2025" in disposition
    assert f'filename="award-report-2025-{year.pk}.xlsx"' in disposition
    assert "no-store" in response["Cache-Control"].split(", ")


def test_it_has_a_sheet_for_the_summary_each_award_and_the_reserve(en_wb):
    assert en_wb.sheetnames == SHEETS_EN


def test_the_sheet_names_follow_the_language_of_the_page(year, township_staff, login):
    wb = open_wb(download(login(township_staff), year, language="zh-hans").content)
    with translation.override("zh-hans"):
        assert wb.sheetnames[0] == translation.gettext("Summary")[:31]
        assert wb.sheetnames[1] == str(Kind.ADVANCED_GROUP.label)[:31]


def test_every_sheet_has_the_title_unit_date_headers_and_a_seal_line(en_wb):
    for ws in en_wb.worksheets:
        title = ws["A1"].value
        assert "东河乡" in title and "2025" in title, ws.title
        assert "中共东河乡委员会" in ws["A2"].value
        assert "2025年12月28日" in ws["A2"].value  # the issuing date
        made = [ws.cell(2, c).value for c in range(1, ws.max_column + 1)]
        assert "制表日期：2027年6月15日" in made, ws.title  # and the date the file was made
        assert {"No.", "Village"} <= set(headers(ws)), ws.title
        bottom = [
            ws.cell(r, c).value for r in range(ws.max_row - 2, ws.max_row + 1) for c in range(1, ws.max_column + 1)
        ]
        assert any(isinstance(v, str) and "(seal)" in v and "中共东河乡委员会" in v for v in bottom), ws.title
        assert any(isinstance(v, str) and "2025年12月28日" in v for v in bottom), ws.title


def test_the_headers_are_frozen_and_printed_on_every_a4_page(en_wb):
    for ws in en_wb.worksheets:
        assert ws.freeze_panes == f"A{FIRST_ROW}", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title
        widths = [ws.column_dimensions[chr(64 + c)].width for c in range(1, ws.max_column + 1)]
        assert all(w and w >= 6 for w in widths), ws.title


def test_a_decided_award_is_listed_and_a_nominated_one_is_not(org, en_wb):
    ws = en_wb["excellent party member"]
    h = headers(ws)
    names = column_values(ws, "Name")
    assert sorted(names) == sorted(["罗紫党员3", "井阳党员2", "=1+1", "@SUM(A1)"])
    assert "罗紫党员6" not in names  # nominated, not decided
    rows, _ = body_rows(ws)
    row = next(r for r in rows if ws.cell(r, h["Name"]).value == "罗紫党员3")
    assert ws.cell(row, h["Village"]).value == "罗紫村"
    assert ws.cell(row, h["Party group"]).value == "罗紫一二社党小组"  # from the member's post at the year's end
    assert ws.cell(row, h["Amount (yuan)"]).value == 50
    assert ws.cell(row, h["Amount (yuan)"]).number_format == YUAN_FORMAT
    assert ws.cell(row, h["Decided on"]).value == datetime.datetime(2025, 12, 26)
    assert ws.cell(row, h["Decided on"]).number_format == DATE_FORMAT
    assert ws.cell(row, 1).value in range(1, 5)


def test_the_advanced_groups_sheet_names_the_group_and_its_leader(org, en_wb):
    ws = en_wb["advanced party group"]
    assert column_values(ws, "Party group") == ["井阳一二社党小组", "罗紫一二社党小组"]
    assert column_values(ws, "Group leader") == ["井阳党员1", "罗紫党员1"]
    assert "白石一二社党小组" not in column_values(ws, "Party group")


def test_the_streak_sheet_shows_the_years_in_a_row(en_wb):
    ws = en_wb["excellent-leader streak bonus"]
    assert column_values(ws, "Name") == ["罗紫党员1"]
    assert column_values(ws, "Years named excellent leader") == ["2023、2024、2025"]
    assert column_values(ws, "Amount (yuan)") == [500]


def test_the_reserve_sheet_lists_both_lists_with_dates(org, en_wb):
    ws = en_wb["Reserve and recommended cadres"]
    assert column_values(ws, "Name") == ["罗紫党员1", "井阳党员2"]  # village list first, then the county's
    assert column_values(ws, "Reason") == ["连续三年优秀", "双带"]
    births = column_values(ws, "Birth date")
    assert births[0] == datetime.datetime.combine(org.a1_g1_members[0].birth_date, datetime.time())
    rows, _ = body_rows(ws)
    assert ws.cell(rows[0], headers(ws)["Birth date"]).number_format == DATE_FORMAT


@pytest.mark.parametrize("sheet", SHEETS_EN[1:5])
def test_each_award_sheets_total_equals_the_sum_of_its_rows(en_wb, sheet):
    ws = en_wb[sheet]
    rows, total = body_rows(ws)
    c = headers(ws)["Amount (yuan)"]
    assert sum(cents(ws.cell(r, c).value) for r in rows) == cents(ws.cell(total, c).value)
    assert ws.cell(total, c).number_format == YUAN_FORMAT
    assert isinstance(ws.cell(total, c).value, int | float)


def test_the_totals_are_the_expected_money(en_wb):
    expected = {
        "advanced party group": Decimal("400.00"),
        "excellent party group leader": Decimal("100.00"),
        "excellent party member": Decimal("200.50"),
        "excellent-leader streak bonus": Decimal("500.00"),
    }
    for sheet, money in expected.items():
        ws = en_wb[sheet]
        _, total = body_rows(ws)
        assert cents(ws.cell(total, headers(ws)["Amount (yuan)"]).value) == money, sheet


def test_the_summary_adds_up_per_village_and_in_total(en_wb):
    ws = en_wb["Summary"]
    rows, total = body_rows(ws)
    h = headers(ws)
    by_village = {ws.cell(r, h["Village"]).value: r for r in rows}
    assert set(by_village) == {"罗紫村", "井阳村"}
    a1, a2 = by_village["罗紫村"], by_village["井阳村"]
    n_cols = [c for name, c in h.items() if name.endswith("(number)")]
    m_cols = [c for name, c in h.items() if name.endswith("(yuan)") and name != "Money in all (yuan)"]
    assert len(n_cols) == len(m_cols) == 4
    assert [ws.cell(a1, c).value for c in n_cols] == [1, 1, 3, 1]
    assert [ws.cell(a2, c).value for c in n_cols] == [1, 0, 1, 0]
    for r in rows:
        assert sum(ws.cell(r, c).value for c in n_cols) == ws.cell(r, h["Awards in all"]).value
        assert sum(cents(ws.cell(r, c).value) for c in m_cols) == cents(ws.cell(r, h["Money in all (yuan)"]).value)
        assert ws.cell(r, m_cols[0]).number_format == YUAN_FORMAT
    for c in [*n_cols, h["Awards in all"]]:
        assert sum(ws.cell(r, c).value for r in rows) == ws.cell(total, c).value
    for c in [*m_cols, h["Money in all (yuan)"]]:
        assert sum(cents(ws.cell(r, c).value) for r in rows) == cents(ws.cell(total, c).value)
    assert cents(ws.cell(a1, h["Money in all (yuan)"]).value) == Decimal("950.00")
    assert cents(ws.cell(total, h["Money in all (yuan)"]).value) == Decimal("1200.50")


def test_the_summary_matches_the_award_sheets(en_wb):
    summary = en_wb["Summary"]
    _, total = body_rows(summary)
    h = headers(summary)
    for sheet in SHEETS_EN[1:5]:
        ws = en_wb[sheet]
        rows, sheet_total = body_rows(ws)
        label = sheet
        assert summary.cell(total, h[f"{label} (number)"]).value == len(rows)
        assert cents(summary.cell(total, h[f"{label} (yuan)"]).value) == cents(
            ws.cell(sheet_total, headers(ws)["Amount (yuan)"]).value
        )


def test_formula_looking_names_and_reasons_stay_text(en_wb):
    ws = en_wb["excellent party member"]
    rows, _ = body_rows(ws)
    h = headers(ws)
    cells = {ws.cell(r, h["Name"]).value: ws.cell(r, h["Name"]) for r in rows}
    for typed in ("=1+1", "@SUM(A1)"):
        assert cells[typed].value == typed
        assert cells[typed].data_type == "s"
        assert cells[typed].quotePrefix
    reasons = {ws.cell(r, h["Reason for the award"]).value for r in rows}
    assert {"-5", "+86"} <= reasons
    assert en_wb["advanced party group"].cell(FIRST_ROW + 1, 6).value == '=HYPERLINK("x")'
    for sheet in en_wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


def test_an_empty_year_still_prints_with_zero_totals(org, township_staff, login):
    y = AppraisalYear.objects.create(township=org.ta, year=2026)
    wb = open_wb(download(login(township_staff), y).content)
    ws = wb["advanced party group"]
    rows, total = body_rows(ws)
    assert rows == []
    assert cents(ws.cell(total, headers(ws)["Amount (yuan)"]).value) == Decimal("0")
    assert "　　年　　月　　日" in ws["A2"].value


# --- who may download ------------------------------------------------------------------------------------------


def test_a_branch_secretary_gets_404_the_report_is_the_townships(year, secretary_a1, login):
    assert download(login(secretary_a1), year).status_code == 404


def test_another_townships_staff_gets_404(year, township_b_staff, login):
    assert download(login(township_b_staff), year).status_code == 404


def test_the_county_viewer_of_the_same_county_may_download(year, county_viewer, login):
    """Through a job (tests/audit/test_award_job.py): the download link leads to the page that starts it."""
    client = login(county_viewer)
    page = reverse("reports:award-report-job", args=[year.pk])
    assert download(client, year)["Location"] == page
    started = client.post(page, {"submission_key": "k-1"}, HTTP_ACCEPT_LANGUAGE="en")  # the job runs inline, in English
    job = client.get(started["Location"]).context["job"]
    response = client.get(reverse("jobs:download", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert open_wb(b"".join(response.streaming_content)).sheetnames == SHEETS_EN


def test_a_county_viewer_of_another_county_gets_404(year, login):
    from tests.factories import UserFactory, assign
    from township.models import Assignment

    other = UserFactory(username="other-county")
    assign(other, Assignment.Role.COUNTY_VIEWER, county=CountyFactory(name="别县"))
    assert download(login(other), year).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(year, client):
    response = client.get(url(year))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_missing_year_is_404(year, township_staff, login):
    assert login(township_staff).get(reverse("reports:award-report", args=[year.pk + 999])).status_code == 404


# --- queries ---------------------------------------------------------------------------------------------------


def _queries(client, year) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert download(client, year).status_code == 200
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_awards(org, year, township_staff, login, django_assert_max_num_queries):
    client = login(township_staff)
    with django_assert_max_num_queries(12):
        assert download(client, year).status_code == 200
    before = _queries(client, year)
    for village in grow_township(org.ta, 4):
        group = village.party_groups.get()
        members = list(village.members.all())
        award(year, Kind.ADVANCED_GROUP, village=village, group=group, amount="200")
        for m in members[:3]:
            award(year, Kind.EXCELLENT_MEMBER, village=village, member=m, amount="50")
        award(year, Kind.EXCELLENT_LEADER, village=village, member=members[0], amount="100")
        award(year, Kind.STREAK_BONUS, village=village, member=members[0], amount="500")
        ReserveCandidate.objects.create(
            year=year, list=ReserveCandidate.List.VILLAGE_THREE_POSTS, member=members[0], village=village, reason="x"
        )
    assert _queries(client, year) == before
    ws = open_wb(download(client, year).content)["Summary"]
    assert len(body_rows(ws)[0]) == 6


# --- the management command ------------------------------------------------------------------------------------


def _cells(wb) -> dict:
    return {
        (ws.title, cell.coordinate): (cell.value, cell.number_format)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
    }


def test_the_command_writes_the_same_workbook_as_the_download(year, township_staff, login, tmp_path):
    target = tmp_path / "东河乡2025.xlsx"
    call_command("export_award_report", township="东河乡", year=2025, output=str(target))
    written = load_workbook(target)
    downloaded = open_wb(download(login(township_staff), year, language="zh-hans").content)
    assert written.sheetnames == downloaded.sheetnames
    assert _cells(written) == _cells(downloaded)


def test_the_command_answers_a_missing_township_or_year_clearly(year, tmp_path):
    target = str(tmp_path / "x.xlsx")
    with pytest.raises(CommandError, match="No township named"):
        call_command("export_award_report", township="无此乡", year=2025, output=target)
    with pytest.raises(CommandError, match="no appraisal year 2019"):
        call_command("export_award_report", township="东河乡", year=2019, output=target)
    assert not (tmp_path / "x.xlsx").exists()


def test_the_command_asks_for_the_county_when_two_townships_share_a_name(org, year, tmp_path):
    TownshipFactory(county=CountyFactory(name="别县"), name="东河乡")
    target = tmp_path / "x.xlsx"
    with pytest.raises(CommandError, match="--county"):
        call_command("export_award_report", township="东河乡", year=2025, output=str(target))
    call_command("export_award_report", township="东河乡", county="青川县", year=2025, output=str(target))
    assert load_workbook(target).worksheets[1].max_row > FIRST_ROW


def test_the_workbook_can_be_written_to_a_stream(year):
    out = BytesIO()
    assert award_report_workbook(year, out) is None
    assert open_wb(out.getvalue()).sheetnames[0]


# --- on paper: signatures, the total in capitals, 草稿 -------------------------------------------------------------


def test_sheets_that_pay_people_have_a_signature_column_and_the_total_in_capitals(en_wb):
    for name in SHEETS_EN[1:5]:
        ws = en_wb[name]
        h = headers(ws)
        assert "领款人签字" in h, name
        rows, total = body_rows(ws)
        assert all(ws.cell(r, h["领款人签字"]).value is None for r in rows), name  # left for the payee to sign
        assert all(ws.row_dimensions[r].height >= 30 for r in rows), name  # room for a hand-written name
        assert ws.cell(total + 1, 1).value.startswith("合计（大写）：人民币"), name
    members = en_wb["excellent party member"]
    rows, total = body_rows(members)
    assert members.cell(total + 1, 1).value == "合计（大写）：人民币贰佰元零伍角（¥200.50）"
    summary = en_wb["Summary"]
    rows, total = body_rows(summary)
    assert summary.cell(total + 1, 1).value == "合计（大写）：人民币壹仟贰佰元零伍角（¥1,200.50）"
    reserve = en_wb["Reserve and recommended cadres"]
    assert "领款人签字" not in headers(reserve)  # nobody is paid on the reserve list
    for ws in en_wb.worksheets:
        bottom = [str(ws.cell(r, 1).value or "") for r in range(FIRST_ROW, ws.max_row + 1)]
        assert any(v.startswith("制表人：") and "审核人：" in v and "日期：" in v for v in bottom), ws.title


def test_an_undecided_year_says_draft_in_the_title_on_every_printed_page_and_in_the_file_name(
    year, township_staff, login
):
    year.state = AppraisalYear.State.NOMINATING
    year.save()
    response = download(login(township_staff), year, language="zh-hans")
    assert quote("（草稿）.xlsx") in response["Content-Disposition"]
    wb = open_wb(response.content)
    for ws in wb.worksheets:
        assert ws["A1"].value.endswith("（草稿）"), ws.title
        assert ws.oddHeader.center.text.startswith("草稿"), ws.title


def test_a_decided_year_is_not_a_draft(year, township_staff, login):
    response = download(login(township_staff), year, language="zh-hans")
    assert "草稿" not in response["Content-Disposition"]
    for ws in open_wb(response.content).worksheets:
        assert "草稿" not in ws["A1"].value
        assert not ws.oddHeader.center.text
