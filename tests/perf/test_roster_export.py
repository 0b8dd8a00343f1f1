"""The party-member roster download (/roster/roster.xlsx) and `manage.py export_roster`: each person gets exactly
their reach, ID and phone numbers masked, typed text that looks like a formula stays text, and the export runs a
fixed number of queries however many members it writes (rows are read in chunks and streamed to the file)."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import SecurityEvent
from groups.roster.exporting import CHUNK_SIZE, FIELDS
from members.models import PartyMember
from tests.factories import (
    CountyFactory,
    PartyMemberFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    assign,
    leave,
    make_id_number,
    suspend,
)
from township.models import Assignment

Role = Assignment.Role
HEADERS = [header for _field, header, _width in FIELDS]
URL = "/roster/roster.xlsx"


def workbook(response):
    assert response.status_code == 200
    assert response.streaming  # sent from the temporary file, not built in memory
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows_by_name(book) -> dict[str, dict]:
    """The members' rows, between the headers (row 3, under the title and the date made) and the count under them."""
    ws = book.active
    values = list(ws.iter_rows(values_only=True))
    assert list(values[2]) == HEADERS
    assert ws.freeze_panes == "A4" and ws.print_title_rows == "$3:$3"
    members = [row for row in values[3:] if row[1] is not None]  # the 合计 and 制表人 lines are in column A only
    assert values[3 + len(members)][0] == f"合计：共 {len(members)} 人"
    return {row[HEADERS.index("姓名")]: dict(zip(HEADERS, row, strict=True)) for row in members}


def test_the_url_is_members_roster():
    assert reverse("roster:roster") == URL


def test_township_staff_get_their_townships_members_and_nobody_elses(org, township_staff, login):
    rows = rows_by_name(workbook(login(township_staff).get(URL)))
    names = set(rows)
    assert {"罗紫党员1", "罗紫外出党员", "井阳党员1"} <= names
    assert not any(n.startswith("白石") for n in names)
    assert len(rows) == PartyMember.objects.filter(village__township=org.ta).count()
    row = rows["罗紫党员1"]
    assert (row["乡镇"], row["村"], row["党小组"]) == ("东河乡", "罗紫村", "罗紫一二社党小组")
    assert rows["罗紫外出党员"]["党小组"] is None  # in no party group


def test_a_secretary_gets_their_village_only(org, secretary_a1, login):
    names = set(rows_by_name(workbook(login(secretary_a1).get(URL))))
    assert names == {m.name for m in PartyMember.objects.filter(village=org.a1)}


def made_as_a_job(client):
    """A county's or everyone's roster: the download link leads to the page that starts the job; its button (with
    the form's one-time key) starts it, and (jobs run in the request under the tests) its page offers the file."""
    page = client.get(URL)
    assert page.status_code == 302 and page["Location"] == reverse("roster:roster-job")
    form = client.get(page["Location"]).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', form).group(1)
    started = client.post(reverse("roster:roster-job"), {"submission_key": key})
    progress = client.get(started["Location"]).content.decode()
    download = re.search(r'href="(/jobs/[^"]+/file)"', progress).group(1)
    return client.get(download)


def test_the_county_gets_its_county_and_the_administrator_everything(org, county_viewer, superuser, login, client):
    elsewhere = VillageFactory(township=TownshipFactory(county=CountyFactory(name="外县"), name="外乡"), name="外村")
    PartyMemberFactory(village=elsewhere, name="外县党员")
    county_names = set(rows_by_name(workbook(made_as_a_job(login(county_viewer)))))
    assert {"罗紫党员1", "井阳党员1", "白石党员1"} <= county_names
    assert "外县党员" not in county_names
    client.logout()
    assert "外县党员" in rows_by_name(workbook(made_as_a_job(login(superuser))))


def test_id_and_phone_numbers_are_masked(org, secretary_a1, login):
    member = org.a1_g1_members[0]
    book = workbook(login(secretary_a1).get(URL))
    row = rows_by_name(book)[member.name]
    assert row["身份证号"] == member.id_number[:1] + "*" * 16 + member.id_number[-1:]
    assert row["联系电话"] == member.phone[:3] + "****" + member.phone[-4:]
    every_cell = " ".join(str(v) for r in book.active.iter_rows(values_only=True) for v in r if v)
    for m in PartyMember.objects.filter(village=org.a1):
        assert m.id_number not in every_cell
        assert m.phone not in every_cell


def test_cells_read_as_the_import_template_writes_them(org, secretary_a1, login):
    member = PartyMemberFactory(
        village=org.a1, name="周老党员", is_old_member=True, status=PartyMember.Status.PROBATIONARY, sex="F"
    )
    row = rows_by_name(workbook(login(secretary_a1).get(URL)))["周老党员"]
    assert (row["性别"], row["党员类别"], row["老党员"], row["原村干部"]) == ("女", "预备", "是", "否")
    assert row["出生年份"] == member.birth_date.year  # the year only, never the date
    assert row["入党日期"].date() == member.joined_on


def test_members_who_left_are_not_on_the_roster(org, secretary_a1, login):
    gone = leave(org.a1_loose, datetime.date(2025, 3, 1))
    assert gone.name not in rows_by_name(workbook(login(secretary_a1).get(URL)))


def test_a_suspended_member_stays_on_the_roster_marked_as_such(org, secretary_a1, login):
    member = suspend(org.a1_g1_members[0], datetime.date(2027, 3, 1))
    assert rows_by_name(workbook(login(secretary_a1).get(URL)))[member.name]["党员类别"] == "停止党籍"


def test_text_that_looks_like_a_formula_stays_text(org, secretary_a1, login):
    PartyMemberFactory(village=org.a1, name="=1+1", notes="@SUM(A1)")
    ws = workbook(login(secretary_a1).get(URL)).active
    row = next(r for r in ws.iter_rows(min_row=4) if r[HEADERS.index("姓名")].value == "=1+1")
    name, notes = row[HEADERS.index("姓名")], row[HEADERS.index("备注")]
    assert (name.data_type, notes.data_type) == ("s", "s")
    assert name.quotePrefix and notes.quotePrefix
    assert isinstance(row[HEADERS.index("入党日期")].value, datetime.datetime)  # the rest of the row is unchanged


def test_the_download_is_not_cached_and_is_named_for_the_scope(org, secretary_a1, login):
    response = login(secretary_a1).get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "no-store" in response["Cache-Control"].split(", ")
    assert "spreadsheetml" in response["Content-Type"]
    assert "attachment" in response["Content-Disposition"]
    assert "%E7%BD%97%E7%B4%AB%E6%9D%91" in response["Content-Disposition"]  # 罗紫村


def test_the_export_is_recorded_with_its_row_count(org, township_staff, login):
    b"".join(login(township_staff).get(URL).streaming_content)
    event = SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT)
    assert event.username == "xiang"
    assert event.rows == PartyMember.objects.filter(village__township=org.ta).count()
    assert event.path == URL


@pytest.mark.parametrize("role", ["group_leader", "none"])
def test_people_without_a_roster_get_404(org, login, role):
    user = UserFactory(username=f"no-roster-{role}")
    if role == "group_leader":
        assign(user, Role.GROUP_LEADER, party_group=org.a1_g1)
    assert login(user).get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_more_members_than_a_chunk_cost_no_more_queries(org, secretary_a1, login, django_assert_num_queries):
    client = login(secretary_a1)
    # 4, and the SAVEPOINT and RELEASE of the export's transaction nested in the test's (a real request has none)
    with django_assert_num_queries(6):
        rows_by_name(workbook(client.get(URL)))
    born = datetime.date(1970, 5, 5)
    PartyMember.objects.bulk_create(
        PartyMember(
            village=org.a1,
            name=f"批量党员{n:05d}",
            sex="M",
            birth_date=born,
            id_number=make_id_number(born, "M", 40000 + n),
            phone="",
            joined_on=datetime.date(1995, 7, 1),
        )
        for n in range(CHUNK_SIZE + 100)
    )
    with django_assert_num_queries(6):
        rows = rows_by_name(workbook(client.get(URL)))
    assert len(rows) == PartyMember.objects.filter(village=org.a1).count() > CHUNK_SIZE


# --- manage.py export_roster ---------------------------------------------------------------------------------------


def test_the_command_writes_a_townships_roster(org, tmp_path):
    out = tmp_path / "roster.xlsx"
    call_command("export_roster", "--township", "东河乡", str(out), stdout=io.StringIO())
    names = set(rows_by_name(load_workbook(out)))
    assert "罗紫党员1" in names and "井阳党员1" in names
    assert not any(n.startswith("白石") for n in names)
    assert SecurityEvent.objects.get(action=SecurityEvent.Action.EXPORT).username == "manage.py export_roster"


def test_the_command_writes_a_county_or_everything(org, tmp_path):
    elsewhere = VillageFactory(township=TownshipFactory(county=CountyFactory(name="外县"), name="外乡"), name="外村")
    PartyMemberFactory(village=elsewhere, name="外县党员")
    call_command("export_roster", "--county", "青川县", str(tmp_path / "c.xlsx"), stdout=io.StringIO())
    call_command("export_roster", "--all", str(tmp_path / "a.xlsx"), stdout=io.StringIO())
    county = set(rows_by_name(load_workbook(tmp_path / "c.xlsx")))
    everything = set(rows_by_name(load_workbook(tmp_path / "a.xlsx")))
    assert "白石党员1" in county and "外县党员" not in county
    assert everything == county | {"外县党员"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Name a --township"),
        (["--all", "--county", "青川县"], "Name a --township"),
        (["--township", "无此乡"], "No township named"),
        (["--county", "无此县"], "No county named"),
    ],
)
def test_the_command_says_what_is_wrong(org, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_roster", *args, str(tmp_path / "x.xlsx"))


def test_the_dashboards_link_to_the_roster(org, township_staff, county_viewer, login, client):
    assert URL in login(township_staff).get(reverse("township", args=[org.ta.pk])).content.decode()
    client.logout()
    assert URL in login(county_viewer).get(reverse("county", args=[org.county.pk])).content.decode()


def test_it_prints_one_page_wide_with_a_title_the_date_made_and_page_numbers(org, township_staff, login):
    ws = workbook(login(township_staff).get(URL)).active
    assert ws["A1"].value == "东河乡党员名册"
    assert "制表日期：2027年6月15日" in [c.value for c in ws[2]]
    assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.fitToWidth) == 1
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert ws.cell(ws.max_row, 1).value.startswith("制表人：")


def test_a_long_note_wraps_and_its_row_is_tall_enough(org, secretary_a1, login):
    note = "长期在外务工，每季度回村参加一次党小组会，其余时间通过电话联系。" * 2
    PartyMemberFactory(village=org.a1, name="备注很长", notes=note)
    ws = workbook(login(secretary_a1).get(URL)).active
    row = next(r for r in ws.iter_rows(min_row=4) if r[HEADERS.index("姓名")].value == "备注很长")
    notes = row[HEADERS.index("备注")]
    assert notes.alignment.wrap_text
    assert ws.row_dimensions[notes.row].height >= 5 * 15  # 64 characters in a column 24 wide: six lines
