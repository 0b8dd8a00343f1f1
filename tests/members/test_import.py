"""Importing party members from an Excel roster: template, upload, preview of every problem, all or nothing."""

from __future__ import annotations

import datetime
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from groups.models import GroupPost
from groups.roster.importing import DATA_SHEET, EXAMPLE_ID, NOTES_SHEET, CellError, parse_date
from groups.roster.views import SESSION_KEY
from members.models import PartyMember
from tests.factories import UserFactory, assign, make_id_number
from township.models import Assignment

HEAD = [
    "村",
    "党小组",
    "姓名",
    "性别",
    "出生日期",
    "身份证号",
    "联系电话",
    "入党日期",
    "党员类别",
    "原村干部",
    "老党员",
    "双带能手",
    "备注",
]
# The national record's columns follow ours in the template (tests/members/test_national_import.py reads them).
NATIONAL_HEAD = ["民族", "学历", "人员类别", "转正日期", "工作岗位", "家庭住址", "党籍状态"]
COL = {h: i for i, h in enumerate(HEAD)}
M, F = PartyMember.Sex.MALE, PartyMember.Sex.FEMALE
BORN_1 = datetime.date(1970, 5, 6)
BORN_2 = datetime.date(1982, 11, 23)
ID_1 = make_id_number(BORN_1, M, 40001)
ID_2 = make_id_number(BORN_2, F, 40002)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    """The roster files kept: waiting files are encrypted rows in the database, and nothing is ever on disk."""
    from groups.models import PendingImport

    assert not (media.exists() and [p for p in media.rglob("*") if p.is_file()])
    return list(PendingImport.objects.values_list("token", flat=True))


def row(village="罗紫村", group="罗紫三四社党小组", name="王新", sex="男", born=BORN_1, id_number=ID_1, **more):
    values = {
        "村": village,
        "党小组": group,
        "姓名": name,
        "性别": sex,
        "出生日期": born,
        "身份证号": id_number,
        "联系电话": "13912345678",
        "入党日期": "2001-07-01",
        "党员类别": "正式",
        "原村干部": "否",
        "老党员": "否",
        "双带能手": "是",
        "备注": "",
    }
    values.update(more)
    return [values[h] for h in HEAD]


def roster(rows, headers=HEAD, *, notes=True, more_sheets=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = DATA_SHEET
    ws.append(headers)
    for r in rows:
        ws.append(r)
    for cells in ws.iter_rows():
        for c in cells:
            if isinstance(c.value, str):
                c.data_type = "s"  # typed text, even "=1+1"; real formulas are made on purpose below
    if notes:
        wb.create_sheet(NOTES_SHEET).append(["说明", "任何内容"])
    for title, content in (more_sheets or {}).items():
        sheet = wb.create_sheet(title)
        for r in content:
            sheet.append(r)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="名册.xlsx"):
    return client.post(reverse("roster:import"), {"file": SimpleUploadedFile(name, data)})


def preview(client):
    return client.get(reverse("roster:import-preview"))


def confirm(client, **extra):
    token = client.session[SESSION_KEY]["token"]
    return client.post(reverse("roster:import-confirm"), {"token": token, **extra})


def problems(response) -> set[tuple[int | None, str | None]]:
    return {(p.row, p.column) for p in response.context["plan"].problems}


def snapshot():
    """Everything an import could change."""
    members = sorted(
        (m.pk, m.name, m.sex, m.birth_date, m.id_number, m.phone, m.joined_on, m.status, m.notes)
        for m in PartyMember.objects.all()
    )
    posts = sorted(GroupPost.objects.values_list("pk", "member_id", "party_group_id", "role", "ended_on"))
    history = PartyMember.history.count() + GroupPost.history.count()
    return members, posts, history


# --- the template --------------------------------------------------------------------------------------------


def test_it_downloads_the_template_with_an_example_row_and_notes(org, secretary_a1, login):
    response = login(secretary_a1).get(reverse("roster:import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"].split(", ")
    wb = load_workbook(BytesIO(response.content))
    assert wb.sheetnames == [DATA_SHEET, NOTES_SHEET]
    ws = wb[DATA_SHEET]
    assert ws["A1"].value == "东河乡罗紫村党员名册（导入模板）"  # a title, and the date made beside the hint under it
    assert [c.value for c in ws[3]] == HEAD + NATIONAL_HEAD
    example = [c.value for c in ws[4]]
    assert example[COL["村"]] == "罗紫村"  # the secretary's own village
    assert example[COL["身份证号"]] == EXAMPLE_ID
    assert example[COL["姓名"]] == "张三"
    assert ws.cell(5, COL["身份证号"] + 1).number_format == "@"  # typed ID numbers stay text
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"
    assert quote("东河乡罗紫村") in response["Content-Disposition"]
    notes = wb[NOTES_SHEET]
    assert {notes.cell(r, 1).value for r in range(1, notes.max_row + 1)} >= set(HEAD)


def test_the_untouched_template_is_refused_because_of_its_example_row(org, secretary_a1, login):
    client = login(secretary_a1)
    template = client.get(reverse("roster:import-template")).content
    before = snapshot()
    response = upload(client, template)
    assert response.status_code == 302
    response = preview(client)
    assert problems(response) == {(4, "身份证号")}  # the example row, under the title and the headings
    assert not response.context["plan"].ok
    assert snapshot() == before


def test_the_filled_in_template_imports_under_its_title(org, secretary_a1, login, media):
    client = login(secretary_a1)
    wb = load_workbook(BytesIO(client.get(reverse("roster:import-template")).content))
    ws = wb[DATA_SHEET]
    for column, value in enumerate(row() + [None] * len(NATIONAL_HEAD), start=1):
        ws.cell(4, column).value = value  # over the example row
    out = BytesIO()
    wb.save(out)
    assert upload(client, out.getvalue()).status_code == 302
    plan = preview(client).context["plan"]
    assert plan.ok and [r.row for r in plan.rows] == [4]  # rows are numbered as in the file


# --- a good file -----------------------------------------------------------------------------------------------


def test_it_previews_a_good_file_and_saves_nothing_until_confirmed(org, secretary_a1, login, media):
    client = login(secretary_a1)
    before = snapshot()
    data = roster(
        [
            row(),
            row(group="", name="李芳", sex="女", born=BORN_2, id_number=ID_2, 党员类别="预备", 入党日期="2024年3月8日"),
            row(
                group="罗紫一二社党小组",
                name=org.a1_loose.name,
                sex="",
                born=None,
                id_number=org.a1_loose.id_number,
                联系电话="13700000001",
                备注="外出务工",
            ),
        ]
    )
    response = upload(client, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("roster:import-preview")
    assert len(stored_files(media)) == 1
    response = preview(client)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.ok
    assert plan.counts == {"new": 2, "update": 1, "unchanged": 0, "problem": 0, "held": 0}
    assert "王新" in response.content.decode()
    assert ID_1 not in response.content.decode()  # ID numbers shown masked
    assert snapshot() == before  # nothing saved by the preview

    response = confirm(client)
    assert response.status_code == 302
    wang = PartyMember.objects.get(name="王新")
    assert (wang.village, wang.sex, wang.birth_date, wang.id_number) == (org.a1, M, BORN_1, ID_1)
    assert (wang.phone, wang.joined_on, wang.status, wang.is_shuangdai) == (
        "13912345678",
        datetime.date(2001, 7, 1),
        PartyMember.Status.FULL,
        True,
    )
    assert GroupPost.objects.current().get(member=wang).party_group == org.a1_g2
    assert wang.history.first().history_user == secretary_a1
    li = PartyMember.objects.get(name="李芳")
    assert (li.sex, li.status, li.joined_on) == (F, PartyMember.Status.PROBATIONARY, datetime.date(2024, 3, 8))
    assert not GroupPost.objects.filter(member=li).exists()
    loose = PartyMember.objects.get(pk=org.a1_loose.pk)
    assert (loose.phone, loose.notes) == ("13700000001", "外出务工")
    assert GroupPost.objects.current().get(member=loose).party_group == org.a1_g1
    assert stored_files(media) == []  # the upload is not kept
    assert SESSION_KEY not in client.session


def test_importing_the_same_file_again_changes_nothing(org, secretary_a1, login):
    client = login(secretary_a1)
    data = roster([row(), row(group="", name="李芳", sex="女", born=BORN_2, id_number=ID_2)])
    upload(client, data)
    confirm(client)
    assert PartyMember.objects.filter(name__in=["王新", "李芳"]).count() == 2
    before = snapshot()
    upload(client, data)
    response = preview(client)
    plan = response.context["plan"]
    assert plan.ok and not plan.has_changes
    assert plan.counts["unchanged"] == 2
    assert 'name="confirm"' not in response.content.decode()
    confirm(client)  # even confirmed, nothing happens
    assert snapshot() == before


def test_an_updated_file_updates_the_members_it_names_by_id_number(org, secretary_a1, login):
    member = org.a1_g1_members[2]
    member.notes = "原有备注"
    member.save()
    client = login(secretary_a1)
    data = roster(
        [
            row(
                group="罗紫三四社党小组",
                name="罗紫党员三",
                sex="",
                born=None,
                id_number=member.id_number.lower(),
                联系电话="",
                党员类别="",
                双带能手="",
                老党员="是",
                入党日期=member.joined_on,
            )
        ]
    )
    upload(client, data)
    plan = preview(client).context["plan"]
    assert plan.counts == {"new": 0, "update": 1, "unchanged": 0, "problem": 0, "held": 0}
    assert set(plan.rows[0].changed) == {"name", "is_old_member"}
    assert plan.rows[0].group_change == "move"
    count = PartyMember.objects.count()
    confirm(client)
    member.refresh_from_db()
    assert member.name == "罗紫党员三"
    assert member.is_old_member
    assert member.notes == "原有备注"  # an empty cell leaves it as it is
    assert member.phone.startswith("139")
    assert PartyMember.objects.count() == count
    posts = GroupPost.objects.filter(member=member).order_by("started_on", "pk")
    assert [p.party_group for p in posts] == [org.a1_g1, org.a1_g2]
    assert posts[0].ended_on is not None and posts[1].ended_on is None


def test_a_leader_is_not_moved_by_import(org, secretary_a1, login):
    leader = org.a1_g1_members[0]
    client = login(secretary_a1)
    before = snapshot()
    upload(
        client,
        roster(
            [
                row(
                    group="罗紫三四社党小组",
                    name=leader.name,
                    sex="",
                    born=leader.birth_date,
                    id_number=leader.id_number,
                    入党日期=leader.joined_on,
                )
            ]
        ),
    )
    response = preview(client)
    assert problems(response) == {(2, "党小组")}
    confirm(client)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2025-01-05", datetime.date(2025, 1, 5)),
        ("2025/1/5", datetime.date(2025, 1, 5)),
        ("2025.1.5", datetime.date(2025, 1, 5)),
        ("2025年1月5日", datetime.date(2025, 1, 5)),
        ("２０２５年１月５日", datetime.date(2025, 1, 5)),
        ("20250105", datetime.date(2025, 1, 5)),
        (datetime.datetime(2025, 1, 5), datetime.date(2025, 1, 5)),
        (45662, datetime.date(2025, 1, 5)),  # an Excel date serial that lost its format
        (None, None),
        ("", None),
    ],
)
def test_it_reads_dates_in_the_common_forms(typed, expected):
    assert parse_date(typed) == expected


@pytest.mark.parametrize("typed", ["2025-13-01", "5.1.2025", "去年", "1850-01-01", -3])
def test_it_refuses_what_is_not_a_date(typed):
    with pytest.raises(CellError):
        parse_date(typed)


def test_excel_date_cells_and_written_dates_import_alike(org, secretary_a1, login):
    client = login(secretary_a1)
    upload(
        client,
        roster(
            [
                row(入党日期=datetime.date(2001, 7, 1), 出生日期=BORN_1),
                row(name="李芳", sex="女", born="1982.11.23", id_number=ID_2, 入党日期="2003/7/1"),
            ]
        ),
    )
    assert preview(client).context["plan"].ok
    confirm(client)
    assert PartyMember.objects.get(name="王新").joined_on == datetime.date(2001, 7, 1)
    assert PartyMember.objects.get(name="李芳").joined_on == datetime.date(2003, 7, 1)


# --- problems by row and column ---------------------------------------------------------------------------------


def test_it_lists_every_rows_problems_by_row_and_column_and_saves_nothing(org, secretary_a1, login, media):
    bad_check = ID_1[:17] + ("0" if ID_1[17] != "0" else "1")
    dup = make_id_number(datetime.date(1975, 1, 1), M, 40010)
    rows = [
        row(id_number=bad_check),  # 2: check digit
        row(name="生日不符", born=datetime.date(1971, 5, 6), id_number=make_id_number(BORN_1, M, 40003)),  # 3
        row(name="小组不存在", group="第九党小组", id_number=make_id_number(BORN_1, M, 40004)),  # 4
        row(name="日期不对", id_number=make_id_number(BORN_1, M, 40005), 入党日期="2025-13-01"),  # 5
        row(name="外村", village="井阳村", group="", id_number=make_id_number(BORN_1, M, 40006)),  # 6
        row(name="重复甲", born=datetime.date(1975, 1, 1), id_number=dup),  # 7
        row(name="重复乙", born=datetime.date(1975, 1, 1), id_number=dup),  # 8
        row(name="", id_number=make_id_number(BORN_1, M, 40007)),  # 9
        row(name="性别不符", sex="女", id_number=make_id_number(BORN_1, M, 40008)),  # 10
        row(name="电话不对", id_number=make_id_number(BORN_1, M, 40009), 联系电话="12345"),  # 11
        row(name="类别不对", id_number=make_id_number(BORN_1, M, 40011), 党员类别="积极分子"),  # 12
        row(name="未成年入党", id_number=make_id_number(BORN_1, M, 40012), 入党日期="1980-01-01"),  # 13
        row(name="好的一行", id_number=make_id_number(BORN_1, M, 40013)),  # 14: fine, but not saved alone
    ]
    data = roster(rows)
    client = login(secretary_a1)
    before = snapshot()
    assert upload(client, data).status_code == 302
    response = preview(client)
    assert response.status_code == 200
    assert problems(response) == {
        (2, "身份证号"),
        (3, "出生日期"),
        (4, "党小组"),
        (5, "入党日期"),
        (6, "村"),
        (7, "身份证号"),
        (8, "身份证号"),
        (9, "姓名"),
        (10, "性别"),
        (11, "联系电话"),
        (12, "党员类别"),
        (13, "入党日期"),
    }
    plan = response.context["plan"]
    assert plan.counts["problem"] == 12 and plan.counts["new"] == 1
    page = response.content.decode()
    assert "第九党小组" in page
    assert 'name="confirm"' not in page
    response = confirm(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("roster:import-preview")
    assert snapshot() == before
    assert len(stored_files(media)) == 1  # kept for another look until discarded


def test_problems_read_in_english_with_the_column_letter(org, secretary_a1, login):
    client = login(secretary_a1)
    upload(client, roster([row(id_number=ID_1[:16])]))
    response = client.get(reverse("roster:import-preview"), HTTP_ACCEPT_LANGUAGE="en")
    p = response.context["plan"].problems[0]
    assert (p.row, p.column, p.letter) == (2, "身份证号", "F")
    assert "18 characters" in p.message
    assert "column F (身份证号)" in response.content.decode()


def test_an_id_number_stored_as_a_number_is_refused(org, secretary_a1, login):
    client = login(secretary_a1)
    upload(client, roster([row(id_number=510123197005060010)]))
    assert problems(preview(client)) == {(2, "身份证号")}


def test_a_namesake_born_the_same_day_with_another_id_is_refused(org, secretary_a1, login):
    other = org.a1_g1_members[3]
    client = login(secretary_a1)
    upload(
        client,
        roster(
            [
                row(
                    group="",
                    name=other.name,
                    born=other.birth_date,
                    sex=other.get_sex_display(),
                    id_number=make_id_number(other.birth_date, other.sex, 40020),
                    入党日期=other.joined_on,
                )
            ]
        ),
    )
    assert problems(preview(client)) == {(2, "姓名")}


# --- reach ------------------------------------------------------------------------------------------------------


def test_a_secretary_cannot_import_into_another_village(org, secretary_a2, login):
    client = login(secretary_a2)
    before = snapshot()
    upload(client, roster([row()]))  # 罗紫村 is not 井阳村's secretary's
    assert problems(preview(client)) == {(2, "村")}
    confirm(client)
    assert snapshot() == before


def test_a_member_of_another_township_is_not_updated_through_their_id_number(org, township_staff, login):
    stranger = org.b1_members[1]
    client = login(township_staff)
    before = snapshot()
    upload(client, roster([row(group="", name="改名", born=stranger.birth_date, sex="", id_number=stranger.id_number)]))
    response = preview(client)
    assert problems(response) == {(2, "身份证号")}
    assert "白石村" not in response.content.decode()
    confirm(client)
    assert snapshot() == before


def test_township_staff_import_into_every_village_of_the_township(org, township_staff, login):
    client = login(township_staff)
    upload(
        client,
        roster(
            [row(), row(village="井阳村", group="井阳一二社党小组", name="李芳", sex="女", born=BORN_2, id_number=ID_2)]
        ),
    )
    assert preview(client).context["plan"].ok
    confirm(client)
    assert PartyMember.objects.get(name="李芳").village == org.a2
    assert GroupPost.objects.current().get(member__name="李芳").party_group == org.a2_g1


def test_a_member_is_not_moved_between_villages_by_import(org, township_staff, login):
    member = org.a1_g1_members[2]
    client = login(township_staff)
    upload(
        client,
        roster([row(village="井阳村", group="", name=member.name, born=None, sex="", id_number=member.id_number)]),
    )
    assert problems(preview(client)) == {(2, "村")}


# --- all or nothing --------------------------------------------------------------------------------------------


def test_the_file_is_checked_again_on_confirm(org, secretary_a1, login):
    client = login(secretary_a1)
    upload(client, roster([row(), row(group="", name="李芳", sex="女", born=BORN_2, id_number=ID_2)]))
    assert preview(client).context["plan"].ok
    # meanwhile the township enters 李芳 in another township's village
    PartyMember.objects.create(
        village=org.b1, name="李芳", sex=F, birth_date=BORN_2, id_number=ID_2, joined_on=datetime.date(2005, 1, 1)
    )
    before = snapshot()
    response = confirm(client)
    assert response["Location"] == reverse("roster:import-preview")
    assert snapshot() == before
    assert not PartyMember.objects.filter(name="王新").exists()


def test_a_failure_half_way_through_saves_nothing(org, secretary_a1, login, monkeypatch):
    import groups.services

    real = groups.services.member_join_group
    calls = []

    def fail_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError("simulated failure")
        return real(**kwargs)

    monkeypatch.setattr(groups.services, "member_join_group", fail_second)
    client = login(secretary_a1)
    upload(client, roster([row(), row(name="李芳", sex="女", born=BORN_2, id_number=ID_2)]))
    before = snapshot()
    response = confirm(client)
    assert len(calls) == 2
    assert response["Location"] == reverse("roster:import-preview")
    assert snapshot() == before


# --- files that are not a roster -------------------------------------------------------------------------------


def _refused(client, data, media, *, name="名册.xlsx", code=None):
    before = snapshot()
    response = upload(client, data, name=name)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["file"]
    if code:
        assert code in {e.code for e in errors}
    assert stored_files(media) == []
    assert SESSION_KEY not in client.session
    assert snapshot() == before
    return str(errors[0].message)


def test_a_file_that_is_not_a_workbook_is_answered_with_a_message(org, secretary_a1, login, media):
    client = login(secretary_a1)
    assert _refused(client, b"\xd0\xcf\x11\xe0 an old xls", media, name="名册.xls", code="not_xlsx")
    assert _refused(client, b"\xd0\xcf\x11\xe0 an old xls", media, code="unreadable")
    assert _refused(client, b"PK\x03\x04 broken zip", media, code="unreadable")
    out = BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert _refused(client, out.getvalue(), media, code="unreadable")


def test_an_empty_file_is_answered_with_a_message(org, secretary_a1, login, media):
    client = login(secretary_a1)
    _refused(client, b"", media)
    _refused(client, roster([]), media, code="unreadable")  # headings only


def test_a_file_over_5_mb_is_answered_with_a_message(org, secretary_a1, login, media):
    _refused(login(secretary_a1), b"PK" + b"0" * (5 * 1024 * 1024), media, code="too_large")


def test_a_workbook_with_another_sheet_of_data_is_answered_with_a_message(org, secretary_a1, login, media):
    data = roster([row()], more_sheets={"别的表": [["村", "姓名"], ["罗紫村", "某人"]]})
    message = _refused(login(secretary_a1), data, media, code="unreadable")
    assert "别的表" in message


def test_an_empty_extra_sheet_is_no_obstacle(org, secretary_a1, login):
    client = login(secretary_a1)
    assert upload(client, roster([row()], more_sheets={"Sheet2": []})).status_code == 302


def test_a_workbook_with_an_unknown_column_is_answered_with_a_message(org, secretary_a1, login, media):
    data = roster([[*row(), "多余"]], headers=[*HEAD, "籍贯"])
    message = _refused(login(secretary_a1), data, media, code="unreadable")
    assert "籍贯" in message
    data = roster([[*row(), "无标题的值"]])
    assert "N" in _refused(login(secretary_a1), data, media, code="unreadable")


def test_a_workbook_missing_a_required_column_is_answered_with_a_message(org, secretary_a1, login, media):
    headers = [h for h in HEAD if h != "身份证号"]
    data = roster([[v for h, v in zip(HEAD, row(), strict=True) if h != "身份证号"]], headers=headers)
    assert "身份证号" in _refused(login(secretary_a1), data, media, code="unreadable")


def test_a_workbook_with_formulas_is_answered_with_a_message(org, secretary_a1, login, media):
    data = roster([row(name='=CONCATENATE("王","新")')])
    wb = load_workbook(BytesIO(data))
    wb[DATA_SHEET]["C2"] = '=CONCATENATE("王","新")'  # a real formula this time
    out = BytesIO()
    wb.save(out)
    assert "C2" in _refused(login(secretary_a1), out.getvalue(), media, code="unreadable")


def test_a_text_cell_starting_with_equals_is_refused_naming_the_cell(org, secretary_a1, login, media):
    """Text such as "=1+1" becomes a live formula when the data is next pasted into a spreadsheet (CSV injection)."""
    message = _refused(login(secretary_a1), roster([row(name="=1+1")]), media, code="unreadable")
    assert "C2" in message


def test_headings_with_notes_and_common_variants_are_understood(org, secretary_a1, login):
    headers = [{"身份证号": "身份证号码", "党小组": "党小组（选填）", "联系电话": "手机号"}.get(h, h) for h in HEAD]
    client = login(secretary_a1)
    assert upload(client, roster([row()], headers=headers)).status_code == 302
    assert preview(client).context["plan"].ok


# --- who may import ------------------------------------------------------------------------------------------------


def _all_pages(client, data):
    return [
        client.get(reverse("roster:import")),
        client.get(reverse("roster:import-template")),
        client.get(reverse("roster:import-preview")),
        upload(client, data),
        client.post(reverse("roster:import-confirm"), {"token": "x"}),
    ]


def test_a_county_viewer_gets_403_and_nothing_changes(org, county_viewer, login, media):
    before = snapshot()
    assert {r.status_code for r in _all_pages(login(county_viewer), roster([row()]))} == {403}
    assert snapshot() == before
    assert stored_files(media) == []


def test_a_group_leader_gets_403(org, login, media):
    leader = UserFactory(username="zuzhang")
    assign(leader, Assignment.Role.GROUP_LEADER, party_group=org.a1_g1)
    assert {r.status_code for r in _all_pages(login(leader), roster([row()]))} == {403}
    assert stored_files(media) == []


def test_an_anonymous_visitor_is_sent_to_log_in(org, client):
    for r in _all_pages(client, roster([row()])):
        assert r.status_code == 302
        assert r["Location"].startswith(reverse("login"))


def test_another_persons_pending_file_cannot_be_confirmed(org, secretary_a1, secretary_a2, login):
    client = login(secretary_a1)
    upload(client, roster([row()]))
    token = client.session[SESSION_KEY]["token"]
    other = Client()
    other.force_login(secretary_a2)
    before = snapshot()
    response = other.post(reverse("roster:import-confirm"), {"token": token})
    assert response.status_code == 302
    assert response["Location"] == reverse("roster:import")
    assert snapshot() == before
    assert other.get(reverse("roster:import-preview"))["Location"] == reverse("roster:import")


def test_discarding_removes_the_file_and_saves_nothing(org, secretary_a1, login, media):
    client = login(secretary_a1)
    upload(client, roster([row()]))
    before = snapshot()
    response = confirm(client, discard="1")
    assert response["Location"] == reverse("roster:import")
    assert snapshot() == before
    assert stored_files(media) == []
    assert preview(client)["Location"] == reverse("roster:import")


def test_a_new_upload_replaces_the_waiting_file(org, secretary_a1, login, media):
    client = login(secretary_a1)
    upload(client, roster([row()]))
    upload(client, roster([row(), row(name="李芳", sex="女", born=BORN_2, id_number=ID_2)]))
    assert len(stored_files(media)) == 1
    assert len(preview(client).context["plan"].rows) == 2


def test_a_change_of_membership_category_waits_for_the_members_page(org, secretary_a1, login, media):
    """转正 is a step of the member's standing history with its decision: a file saying 正式 for a probationary member
    holds that row back (said on the preview) and changes nothing; the other rows still import."""
    loose = org.a1_loose
    PartyMember.objects.filter(pk=loose.pk).update(status=PartyMember.Status.PROBATIONARY)
    client = login(secretary_a1)
    data = roster(
        [
            row(),
            row(group="", name=loose.name, sex="", born=None, id_number=loose.id_number, 党员类别="正式"),
        ]
    )
    assert upload(client, data).status_code == 302
    response = preview(client)
    plan = response.context["plan"]
    assert plan.counts["held"] == 1 and plan.counts["new"] == 1
    assert "转正等党籍变动请在党员页面登记" in response.content.decode()
    assert confirm(client).status_code == 302
    assert PartyMember.objects.get(pk=loose.pk).status == PartyMember.Status.PROBATIONARY
    assert PartyMember.objects.filter(name="王新").exists()
