"""The roster import's reconciliation as a job (groups/roster/import_job.py): the upload queues the reading and checking
of the file, the job's page shows the sheet's rows read while it runs and then sends the person to the preview, which
shows the plan the job kept (the same page the import showed when it read the file inside the request); a failure
says why in Chinese and 重试 checks the file again; nobody else sees the job or its plan; a worker killed mid-way is
picked up again as every other job is."""

from __future__ import annotations

import datetime
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit import jobs
from audit.models import Job
from groups.models import PendingImport
from groups.roster import importing
from groups.roster.import_job import ROSTER_IMPORT, import_job_for
from groups.roster.importing import read_roster
from members.models import PartyMember
from tests.factories import CountyFactory, TownshipFactory, UserFactory, assign, make_id_number
from tests.members import test_import as own
from tests.members import test_national_import as national
from township.models import Assignment

State = Job.State
PREVIEW = reverse("roster:import-preview")


def key() -> str:
    return str(uuid.uuid4())


def upload(client, data: bytes):
    return client.post(reverse("roster:import"), {"file": SimpleUploadedFile("名册.xlsx", data)})


def the_job() -> Job:
    return Job.objects.get(kind=ROSTER_IMPORT)


def good_file(n: int = 6) -> bytes:
    born = datetime.date(1975, 4, 9)
    return national.workbook(
        [
            national.national_row(
                **{
                    "姓名": f"新党员{k}",
                    "公民身份号码": make_id_number(born, PartyMember.Sex.MALE, 43000 + k),
                    "出生日期": born.isoformat(),
                }
            )
            for k in range(n)
        ]
    )


def test_the_upload_queues_the_check_and_the_preview_shows_what_the_job_found(org, township_staff, login):
    client = login(township_staff)
    response = upload(client, good_file(3))
    assert response.status_code == 302 and response["Location"] == PREVIEW  # inline: one click, as before
    job = the_job()
    assert (job.state, job.user, job.file) == (State.DONE, township_staff, "")  # nothing in storage: the plan is kept
    assert job.title == "东河乡" and job.scope == f"township_staff:{org.ta.pk}"
    page = client.get(PREVIEW)
    assert page.status_code == 200 and page.context["plan"].counts["new"] == 3
    # its page sends the person on to the preview; there is nothing to download
    assert client.get(reverse("jobs:job", args=[job.pk]))["Location"] == PREVIEW
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    kept = PendingImport.objects.get()
    assert kept.plan_job == job.pk and "新党员".encode() not in bytes(kept.plan)  # encrypted like the file


def test_rows_read_and_the_total_are_saved_while_the_job_runs(org, township_staff, login, monkeypatch):
    monkeypatch.setattr(importing, "PROGRESS_ROWS", 2)
    monkeypatch.setattr(jobs, "PROGRESS_EVERY_SECONDS", 0)
    seen = []
    real = importing.row_values

    def watching(cells):
        seen.extend(Job.objects.filter(kind=ROSTER_IMPORT).values_list("state", "rows_done", "rows_total"))
        return real(cells)

    monkeypatch.setattr(importing, "row_values", watching)
    upload(login(township_staff), good_file(6))
    total = 8  # the title, the headings and six members: the rows of the sheet, as the preview numbers them
    assert (State.RUNNING, 0, None) in seen
    assert (State.RUNNING, 2, total) in seen and (State.RUNNING, 4, total) in seen and (State.RUNNING, 6, total) in seen
    assert [done for _s, done, _t in seen] == sorted(done for _s, done, _t in seen)  # it only goes forward
    job = the_job()
    assert (job.state, job.rows_done, job.rows_total) == (State.DONE, total, total)


def test_the_page_of_a_running_check_shows_its_progress_and_refreshes_itself(org, township_staff, login):
    client = login(township_staff)
    upload(client, good_file(3))
    job = the_job()
    Job.objects.filter(pk=job.pk).update(
        state=State.RUNNING, rows_done=3000, rows_total=9000, heartbeat_at=timezone.now(), file=""
    )
    assert client.get(PREVIEW)["Location"] == reverse("jobs:job", args=[job.pk])  # not done: the progress page
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "东河乡党员名册导入核对" in page and "正在核对：已处理 3000 / 9000 行" in page
    assert '<progress value="3000" max="9000">' in page and '<meta http-equiv="refresh" content="2">' in page


# --- the same preview as before ------------------------------------------------------------------------------------


def national_file(org) -> bytes:
    known = org.a1_g1_members[0]
    changed = national.national_row(
        **{
            "姓名": known.name,
            "公民身份号码": known.id_number,
            "性别": "男" if known.sex == PartyMember.Sex.MALE else "女",
            "出生日期": known.birth_date.strftime("%Y.%m"),
            "入党日期": known.joined_on.strftime("%Y.%m.%d"),
            "转正日期": "",
            "联系电话": "13900001111",
            "民族": "回族",
        }
    )
    held = national.member_b_row(**{"党籍状态": "停止党籍"})
    bad = national.national_row(**{"姓名": "错行", "公民身份号码": "51012319650307001", "民族": "火星族"})
    return national.workbook([national.national_row(), changed, held, bad])


def own_file(org) -> bytes:
    loose = org.a1_loose
    return own.roster(
        [
            own.row(),
            own.row(group="罗紫一二社党小组", name=loose.name, sex="", born=None, id_number=loose.id_number),
            own.row(name="李芳", sex="女", born=own.BORN_2, id_number=own.ID_2, 党员类别="预备"),
        ]
    )


def without_keys(html: str) -> str:
    """The page without what is new at every showing: the CSRF token and the form's one-time key."""
    return re.sub(r'name="(csrfmiddlewaretoken|submission_key)" value="[^"]*"', r'name="\1"', html)


@pytest.mark.parametrize("make", [national_file, own_file], ids=["national format", "own template"])
def test_the_preview_after_the_job_is_the_preview_the_request_used_to_make(org, township_staff, login, make):
    client = login(township_staff)
    data = make(org)
    assert upload(client, data).status_code == 302
    response = client.get(PREVIEW)
    assert response.status_code == 200
    before_the_job = render_to_string(  # what the preview made by reading the file in the request (before issue 18)
        "groups/roster/import_preview.html",
        {"plan": read_roster(data, township_staff), "pending": response.context["pending"]},
        request=response.wsgi_request,
    )
    shown = response.content.decode()
    assert without_keys(shown) == without_keys(before_the_job)
    assert response.context["plan"].counts == read_roster(data, township_staff).counts
    assert len(response.context["plan"].rows) >= 3 and ("王新" in shown or "张华" in shown)  # not an empty page


def test_problems_in_the_file_are_shown_beside_their_rows_in_chinese(org, secretary_a1, login):
    client = login(secretary_a1)
    upload(client, national_file(org))
    page = client.get(PREVIEW)
    found = {(p.row, p.column): p.message for p in page.context["plan"].problems}
    assert "火星族" in found[6, "民族"] and "18" in found[6, "公民身份号码"]
    html = page.content.decode()
    assert found[6, "民族"] in html.replace("&ldquo;", "“").replace("&rdquo;", "”") or "火星族" in html
    assert not re.search(r"is not|must be|characters", html)  # in Chinese


# --- failure and 重试 ------------------------------------------------------------------------------------------------


def test_a_failed_check_says_why_in_chinese_and_retry_checks_the_file(org, township_staff, login, monkeypatch):
    client = login(township_staff)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone away")

    monkeypatch.setattr("groups.roster.import_job.read_roster", broken)
    assert upload(client, good_file(3))["Location"] == PREVIEW  # the file is kept: it is the check that failed
    job = the_job()
    assert job.state == State.FAILED
    assert client.get(PREVIEW)["Location"] == reverse("jobs:job", args=[job.pk])
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "没有核对：核对名册时出错" in page and "重试" in page
    assert "database gone away" not in page and "RuntimeError" not in page

    monkeypatch.undo()
    retried = client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    assert retried["Location"] == reverse("jobs:job", args=[job.pk])
    assert client.get(retried["Location"])["Location"] == PREVIEW  # done now: on to the preview
    plan = client.get(PREVIEW).context["plan"]
    assert plan.ok and plan.counts["new"] == 3
    assert Job.objects.filter(kind=ROSTER_IMPORT).count() == 1  # the same job, run again


def test_a_file_that_is_no_roster_is_still_refused_beside_the_file_field(org, township_staff, login):
    client = login(township_staff)
    data = national.workbook([[*national.national_row(), "四川"]], headers=[*national.HEAD, "籍贯"])
    response = upload(client, data)
    assert response.status_code == 200 and "“籍贯”" in str(response.context["form"].errors["file"])
    assert not PendingImport.objects.exists() and not Job.objects.exists()  # nothing kept


# --- whose check it is ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["secretary_a2", "township_staff", "county_viewer", "superuser"])
def test_nobody_else_sees_the_job_or_its_plan(org, secretary_a1, login, request, who):
    upload(login(secretary_a1), own_file(org))
    job = the_job()
    other = Client()
    other.force_login(request.getfixturevalue(who))
    for name in ("jobs:job", "jobs:download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert other.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()}).status_code == 404
    preview = other.get(PREVIEW)
    assert preview.status_code in (302, 403) and "王新" not in preview.content.decode()  # no file of theirs waits


def test_a_check_made_for_another_reach_is_not_shown_and_is_made_again(org, township_staff, login):
    client = login(township_staff)
    upload(client, own_file(org))
    old = the_job()
    Assignment.objects.filter(user=township_staff).update(township=TownshipFactory(county=org.county, name="新设乡"))
    assert client.get(reverse("jobs:job", args=[old.pk])).status_code == 404
    page = client.get(PREVIEW)  # checked again in the person's reach now: 罗紫村 is no longer theirs
    assert page.status_code == 200 and not page.context["plan"].ok
    assert import_job_for(user=township_staff, token=page.context["pending"]["token"]).pk != old.pk


def test_a_persons_other_county_cannot_reach_the_plan_by_its_job(org, secretary_a1, login):
    upload(login(secretary_a1), own_file(org))
    outsider = UserFactory(username="waixian")
    assign(outsider, Assignment.Role.COUNTY_VIEWER, county=CountyFactory(name="外县"))
    other = Client()
    other.force_login(outsider)
    assert other.get(reverse("jobs:job", args=[the_job().pk])).status_code == 404


# --- the worker ----------------------------------------------------------------------------------------------------

WORKER_DB = pytest.mark.django_db(transaction=True)


@pytest.fixture
def on_the_database_queue(settings):
    settings.JOBS_BACKEND = "database"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker() -> str:
    out = io.StringIO()
    call_command("run_jobs", "--batch", stdout=out, stderr=io.StringIO(), verbosity=0)
    return out.getvalue()


@WORKER_DB
def test_on_the_database_queue_the_worker_checks_the_file_and_the_page_moves_to_the_preview(
    org, township_staff, login, on_the_database_queue
):
    client = login(township_staff)
    assert upload(client, good_file(4))["Location"] == PREVIEW
    job = the_job()
    assert client.get(PREVIEW)["Location"] == reverse("jobs:job", args=[job.pk])
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert job.state == State.QUEUED and "正在排队" in page and "查看结果" in page
    run_worker()
    assert client.get(reverse("jobs:job", args=[job.pk]))["Location"] == PREVIEW
    assert client.get(PREVIEW).context["plan"].counts["new"] == 4


@WORKER_DB
def test_a_check_left_running_by_a_killed_worker_is_run_again_by_the_next_one(
    org, township_staff, login, on_the_database_queue
):
    client = login(township_staff)
    upload(client, good_file(4))
    job = the_job()
    Job.objects.filter(pk=job.pk).update(  # a worker took it, read half the file and was killed
        state=State.RUNNING, attempts=1, rows_done=3, rows_total=7,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
    )  # fmt: skip
    assert client.get(PREVIEW)["Location"] == reverse("jobs:job", args=[job.pk])  # no half plan shown meanwhile
    assert "Re-queued or failed 1 job(s)" in run_worker()  # the sweep at the worker's start, as for every job
    job.refresh_from_db()
    assert (job.state, job.attempts) == (State.DONE, 2)
    plan = client.get(PREVIEW).context["plan"]
    assert plan.ok and plan.counts["new"] == 4


def test_the_hourly_sweep_picks_up_a_check_a_killed_worker_left(org, township_staff, login, on_the_database_queue):
    upload(login(township_staff), good_file(2))
    job = the_job()
    Job.objects.filter(pk=job.pk).update(
        state=State.RUNNING, attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    assert jobs.Sweeper().tick() == (1, 0)
    job.refresh_from_db()
    assert job.state == State.QUEUED and job.rows_done == 0  # queued again, from the start


def test_inline_a_check_left_running_offers_retry_in_its_own_words(org, township_staff, login):
    client = login(township_staff)
    upload(client, good_file(2))
    job = the_job()
    Job.objects.filter(pk=job.pk).update(
        state=State.RUNNING, attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    page = client.get(reverse("jobs:job", args=[job.pk])).content.decode()
    assert "核对过程被中断" in page and "重试" in page
    client.post(reverse("jobs:retry", args=[job.pk]), {"submission_key": key()})
    assert client.get(PREVIEW).context["plan"].counts["new"] == 2


@WORKER_DB
def test_a_file_discarded_before_the_worker_checked_it_fails_saying_so(
    org, township_staff, login, on_the_database_queue
):
    client = login(township_staff)
    upload(client, good_file(2))
    PendingImport.objects.all().delete()  # discarded (or replaced) before the worker came to it
    run_worker()
    job = the_job()
    assert job.state == State.FAILED and job.error.startswith("要核对的名册文件已经不在了")


def test_a_confirmation_that_finds_new_problems_has_the_preview_check_the_file_again(org, secretary_a1, login):
    client = login(secretary_a1)
    li = own.row(group="", name="李芳", sex="女", born=own.BORN_2, id_number=own.ID_2)
    upload(client, own.roster([own.row(), li]))
    assert client.get(PREVIEW).context["plan"].ok
    PartyMember.objects.create(  # meanwhile the township enters 李芳 in another township's village
        village=org.b1, name="李芳", sex="F", birth_date=own.BORN_2, id_number=own.ID_2,
        joined_on=datetime.date(2005, 1, 1),
    )  # fmt: skip
    token = client.session[own.SESSION_KEY]["token"]
    response = client.post(reverse("roster:import-confirm"), {"token": token, "submission_key": key()})
    assert response["Location"] == PREVIEW
    page = client.get(PREVIEW)
    assert not page.context["plan"].ok  # the plan of now, not the one kept before the change
    assert {p.row for p in page.context["plan"].problems} == {3}
    assert Job.objects.filter(kind=ROSTER_IMPORT).count() == 2
