"""The national system's 党员基本信息 format (全国党员管理信息系统): its headings in any order and its date styles
import; a national export is reconciled member by member, only the ticked changes saved; the roster exports back in the
national headings and imports again with nothing lost."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from audit.models import SecurityEvent
from groups.roster.importing import CellError, parse_dated
from groups.roster.national_export import NATIONAL_SHEET
from groups.roster.views import SESSION_KEY
from members.models import PartyMember
from tests.factories import make_id_number

M, F = PartyMember.Sex.MALE, PartyMember.Sex.FEMALE
BORN_A = datetime.date(1970, 5, 6)
BORN_B = datetime.date(1982, 11, 23)
ID_A = make_id_number(BORN_A, M, 41001)
ID_B = make_id_number(BORN_B, F, 41002)
# The national headings, in the national system's order rather than ours.
HEAD = [
    "姓名", "公民身份号码", "性别", "民族", "出生日期", "学历", "人员类别", "所在党支部", "入党日期", "转正日期",
    "工作岗位", "联系电话", "家庭住址", "党籍状态",
]  # fmt: skip


def national_row(**values) -> list:
    base = {
        "姓名": "张华",
        "公民身份号码": ID_A,
        "性别": "男",
        "民族": "彝族",
        "出生日期": "1970.05",  # month only: the ID number gives the day
        "学历": "初中",
        "人员类别": "农牧渔民",
        "所在党支部": "中共东河乡罗紫村支部委员会",
        "入党日期": "1995.03",
        "转正日期": "1996年3月",
        "工作岗位": "种植户",
        "联系电话": "13987654321",
        "家庭住址": "罗紫村三社12号",
        "党籍状态": "正常",
    }
    base.update(values)
    return [base[h] for h in HEAD]


def workbook(rows, headers=HEAD) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "党员基本信息"
    ws.append(["青川县东河乡党员基本信息"])  # the national export's title above its headings
    ws.append(headers)
    for r in rows:
        ws.append(r)
    for cells in ws.iter_rows():
        for c in cells:
            if isinstance(c.value, str):
                c.data_type = "s"
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, data: bytes):
    response = client.post(reverse("roster:import"), {"file": SimpleUploadedFile("全国系统导出.xlsx", data)})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return client.get(reverse("roster:import-preview"))


def confirm(client, **ticks):
    token = client.session[SESSION_KEY]["token"]
    return client.post(reverse("roster:import-confirm"), {"token": token, "choosing": "1", **ticks})


def problems(response) -> dict[tuple[int | None, str | None], str]:
    return {(p.row, p.column): p.message for p in response.context["plan"].problems}


@pytest.fixture
def revealer(township_staff):
    township_staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    return township_staff


def member_b_row(**values):
    return national_row(
        **{
            "姓名": "李秀",
            "公民身份号码": ID_B,
            "性别": "女",
            "民族": "汉族",
            "出生日期": "1982-11-23",
            "学历": "大专",
            "人员类别": "企业职工",
            "所在党支部": "罗紫村党支部",
            "入党日期": datetime.datetime(2005, 6, 18),  # an Excel date cell
            "转正日期": "2006/6/18",
            "工作岗位": "合作社会计",
            "联系电话": "",
            "家庭住址": "",
            **values,
        }
    )


# --- dates ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1970.03", (datetime.date(1970, 3, 1), "month")),
        ("1970年3月", (datetime.date(1970, 3, 1), "month")),
        ("1970-03", (datetime.date(1970, 3, 1), "month")),
        ("197003", (datetime.date(1970, 3, 1), "month")),
        (1970.03, (datetime.date(1970, 3, 1), "month")),  # Excel keeps 1970.03 typed into a cell as a number
        (1970.1, (datetime.date(1970, 10, 1), "month")),
        ("1970-03-01", (datetime.date(1970, 3, 1), "day")),
        ("1970/3/1", (datetime.date(1970, 3, 1), "day")),
        ("1970.3.1", (datetime.date(1970, 3, 1), "day")),
        ("1970年3月1日", (datetime.date(1970, 3, 1), "day")),
        (datetime.datetime(1970, 3, 1), (datetime.date(1970, 3, 1), "day")),
        (25628, (datetime.date(1970, 3, 1), "day")),  # an Excel serial number
    ],
)
def test_it_reads_the_national_date_styles_keeping_a_month_as_a_month(typed, expected):
    assert parse_dated(typed) == expected


@pytest.mark.parametrize("typed", ["1970.13", "1970年", "三月", "1850.03"])
def test_it_refuses_what_is_not_a_month_or_a_date(typed):
    with pytest.raises(CellError):
        parse_dated(typed)


# --- import, reconcile, export back --------------------------------------------------------------------------------


def test_a_national_file_imports_reconciles_and_exports_back_with_nothing_lost(org, revealer, login):
    client = login(revealer)
    known = org.a1_g1_members[0]
    known_row = national_row(
        **{
            "姓名": known.name,
            "公民身份号码": known.id_number,
            "性别": "男" if known.sex == M else "女",
            "出生日期": known.birth_date.strftime("%Y.%m"),
            "入党日期": known.joined_on.strftime("%Y.%m.%d"),
            "转正日期": "",
            "联系电话": "13900001111",
            "民族": "回族",
        }
    )
    page = upload(client, workbook([national_row(), member_b_row(), known_row]))
    plan = page.context["plan"]
    assert plan.ok, plan.problems
    assert plan.counts["new"] == 2 and plan.counts["update"] == 1
    changed = {r.name: r.diffs for r in plan.rows if r.action == "update"}[known.name]
    items = {heading: (old, new) for heading, old, new in changed}
    assert items["民族"] == ("", "回族")
    assert items["联系电话"][1] == "139****1111"  # masked, as every list shows a phone number
    assert items["工作岗位"] == ("", "种植户")
    # every other current member of 罗紫村 is on record but not in the file; 井阳村 is not in the file at all
    missing = {m.name for m in plan.missing}
    assert missing == set(
        PartyMember.objects.filter(village=org.a1).exclude(pk=known.pk).values_list("name", flat=True)
    )
    html = page.content.decode()
    assert "13987654321" not in html and "13900001111" not in html and ID_A not in html
    assert "罗紫村三社12号" not in html
    assert "回族" in html and "在系统中但不在文件中" in html

    response = confirm(client, all_new="1", row=[str(r.row) for r in plan.rows if r.action == "update"])
    assert response.status_code == 302
    a = PartyMember.objects.get(name="张华")
    assert (a.birth_date, a.joined_on, a.joined_on_precision) == (BORN_A, datetime.date(1995, 3, 1), "month")
    assert (a.full_member_on, a.full_member_on_precision) == (datetime.date(1996, 3, 1), "month")
    assert a.full_member_on_shown == "1996年3月" and a.joined_on_shown == "1995年3月"
    assert (a.ethnicity, a.education, a.category) == ("07", "71", "farmer")
    assert (a.village, a.work_post, a.home_address, a.phone) == (org.a1, "种植户", "罗紫村三社12号", "13987654321")
    b = PartyMember.objects.get(name="李秀")
    assert (b.joined_on, b.joined_on_precision, b.full_member_on) == (
        datetime.date(2005, 6, 18),
        "day",
        datetime.date(2006, 6, 18),
    )
    assert (b.education, b.category) == ("31", "worker")
    known.refresh_from_db()
    assert (known.ethnicity, known.phone) == ("03", "13900001111")
    event = SecurityEvent.objects.filter(action=SecurityEvent.Action.IMPORT).latest("pk")
    assert event.rows == 3 and event.detail["new"] == 2 and event.detail["update"] == 1
    assert {m["id"] for m in event.detail["members"]} == {a.pk, b.pk, known.pk}
    assert "13900001111" not in str(event.detail)

    # the national export, full record, reads back as it is: nothing to change, nothing lost
    exported = client.get(reverse("roster:national") + "?full=1")
    data = b"".join(exported.streaming_content)
    ws = load_workbook(BytesIO(data))[NATIONAL_SHEET]
    header = [c.value for c in ws[3]]
    rows = {
        r[header.index("姓名")]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=4, values_only=True)
    }
    assert rows["张华"] | {} == rows["张华"]
    for heading, written in zip(HEAD, national_row(), strict=True):
        if heading in ("出生日期", "所在党支部"):
            continue
        if heading in ("入党日期", "转正日期"):  # written 1996.03 whether it came as 1996年3月 or 1996.03
            assert parse_dated(rows["张华"][heading]) == parse_dated(written), heading
        else:
            assert rows["张华"][heading] == written, heading
    assert rows["张华"]["出生日期"] == "1970.05.06" and rows["张华"]["所在党支部"] == "东河乡罗紫村党支部"
    assert rows["李秀"]["入党日期"] == "2005.06.18" and rows["李秀"]["学历"] == "大学专科"
    again = upload(client, data).context["plan"]
    assert again.ok, again.problems
    assert again.counts["new"] == 0 and again.counts["update"] == 0
    assert again.counts["unchanged"] == PartyMember.objects.filter(village__township=org.ta).count()
    assert not again.missing
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.REVEAL, detail__export="member_roster_national")


def test_only_the_ticked_changes_are_saved(org, township_staff, login):
    client = login(township_staff)
    one, two = org.a1_g1_members[:2]

    def changed(m, post):
        return national_row(
            **{
                "姓名": m.name,
                "公民身份号码": m.id_number,
                "性别": "男" if m.sex == M else "女",
                "出生日期": m.birth_date.isoformat(),
                "入党日期": m.joined_on.isoformat(),
                "转正日期": "",
                "联系电话": "",
                "家庭住址": "",
                "工作岗位": post,
            }
        )

    plan = upload(client, workbook([changed(one, "养殖户"), changed(two, "村医"), national_row()])).context["plan"]
    rows = {r.name: r.row for r in plan.rows}
    confirm(client, row=str(rows[two.name]))
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.work_post, two.work_post) == ("", "村医")
    assert not PartyMember.objects.filter(name="张华").exists()
    event = SecurityEvent.objects.filter(action=SecurityEvent.Action.IMPORT).latest("pk")
    assert event.detail["skipped"] == 2 and event.rows == 1


def test_nothing_ticked_saves_nothing(org, township_staff, login):
    client = login(township_staff)
    upload(client, workbook([national_row()]))
    response = confirm(client)
    assert response.status_code == 302 and response["Location"] == reverse("roster:import-preview")
    assert not PartyMember.objects.filter(name="张华").exists()
    assert not SecurityEvent.objects.filter(action=SecurityEvent.Action.IMPORT).exists()


# --- bad input -----------------------------------------------------------------------------------------------------


def test_an_unknown_heading_is_refused_naming_the_column(org, township_staff, login):
    client = login(township_staff)
    response = client.post(
        reverse("roster:import"),
        {"file": SimpleUploadedFile("x.xlsx", workbook([[*national_row(), "四川"]], headers=[*HEAD, "籍贯"]))},
    )
    assert response.status_code == 200
    assert "“籍贯”" in str(response.context["form"].errors["file"])


def test_duplicate_ids_a_birth_month_off_the_id_and_a_bad_choice_are_refused_by_row(org, township_staff, login):
    client = login(township_staff)
    before = PartyMember.objects.count()
    page = upload(
        client,
        workbook(
            [
                national_row(),
                national_row(**{"姓名": "张华二"}),
                member_b_row(**{"出生日期": "1982.10"}),
                member_b_row(**{"公民身份号码": make_id_number(BORN_B, F, 41003), "民族": "火星族", "学历": "留学"}),
            ]
        ),
    )
    found = problems(page)
    assert "第4行" in found[3, "公民身份号码"]  # Excel row numbers: the title is row 1, the headings row 2
    assert (4, "公民身份号码") in found
    assert "身份证号" in found[5, "出生日期"]
    assert (6, "民族") in found and (6, "学历") in found
    assert not page.context["plan"].ok
    assert confirm(client, all_new="1").status_code == 302
    assert PartyMember.objects.count() == before


def test_a_standing_other_than_normal_is_held_back_for_the_members_page(org, township_staff, login):
    client = login(township_staff)
    page = upload(client, workbook([national_row(**{"党籍状态": "停止党籍"}), member_b_row()]))
    plan = page.context["plan"]
    assert plan.ok and plan.counts["held"] == 1 and plan.counts["new"] == 1
    assert "请在党员页面登记党籍变化" in page.content.decode()
    confirm(client, all_new="1")
    assert PartyMember.objects.filter(name="李秀").exists()
    assert not PartyMember.objects.filter(name="张华").exists()


def test_a_secretary_imports_only_into_their_village(org, secretary_a1, login):
    client = login(secretary_a1)
    page = upload(client, workbook([national_row(**{"所在党支部": "中共东河乡井阳村支部委员会"}), member_b_row()]))
    assert (3, "所在党支部") in problems(page)
    assert not page.context["plan"].ok
    confirm(client, all_new="1")
    assert not PartyMember.objects.filter(name__in=["张华", "李秀"]).exists()


def test_the_import_pins_its_queries_whatever_the_number_of_rows(
    org, township_staff, login, django_assert_num_queries, monkeypatch
):
    from audit import jobs

    # The reconciliation job saves its progress at most twice a second, so how often depends on the machine: only the
    # first and last saves here, so that what is counted is what grows with the rows.
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 10**9)
    client = login(township_staff)

    def rows(n):
        return [
            national_row(
                **{
                    "姓名": f"批量{k}",
                    "公民身份号码": make_id_number(BORN_A, M, 42000 + k),
                    "出生日期": BORN_A.isoformat(),
                }
            )
            for k in range(n)
        ]

    counts, upload_counts = [], []
    for n in (3, 60):
        with django_assert_num_queries(QUERIES_UPLOAD) as captured:
            file = SimpleUploadedFile("全国系统导出.xlsx", workbook(rows(n)))
            assert client.post(reverse("roster:import"), {"file": file}).status_code == 302
        upload_counts.append(len(captured))
        with django_assert_num_queries(QUERIES_PREVIEW) as captured:
            assert client.get(reverse("roster:import-preview")).context["plan"].counts["new"] == n
        counts.append(len(captured))
    assert counts[0] == counts[1] and upload_counts[0] == upload_counts[1]


QUERIES_PREVIEW = 7  # the session, the person with their assignment, the waiting file, its job and plan: none per row
# the upload with its reconciliation job run inline: the file stored, the job queued, claimed, its progress, the checks
# against the records (a handful of queries), the plan kept and the job done in one transaction
QUERIES_UPLOAD = 33


# --- export --------------------------------------------------------------------------------------------------------


def test_the_national_export_masks_personal_data_unless_full_numbers_may_be_revealed(org, secretary_a1, login):
    client = login(secretary_a1)
    member = org.a1_g1_members[0]
    PartyMember.objects.filter(pk=member.pk).update(home_address="罗紫村一社3号")
    response = client.get(reverse("roster:national"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"].split(", ")
    ws = load_workbook(BytesIO(b"".join(response.streaming_content)))[NATIONAL_SHEET]
    text = " ".join(str(c) for r in ws.iter_rows(values_only=True) for c in r if c)
    assert member.id_number not in text and "罗紫村一社3号" not in text
    assert "井阳" not in text  # another village's members
    assert client.get(reverse("roster:national") + "?full=1").status_code == 403
    assert SecurityEvent.objects.filter(action=SecurityEvent.Action.EXPORT, detail__export="member_roster_national")


def test_people_without_a_roster_get_404_from_the_national_export(org, group_leader, login):
    assert login(group_leader).get(reverse("roster:national")).status_code == 404
