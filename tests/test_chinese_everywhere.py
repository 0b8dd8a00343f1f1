"""Chinese everywhere a person looks: every page each demo role reaches by clicking, the admin included, reads in
Chinese; no English word (outside a short list of names such as Excel or PDF), no "---------", no Q1, no 2026-03-01,
no None/True/False. The error pages are Chinese with DEBUG on as well, and dates in messages read 2026年3月1日."""
from __future__ import annotations

import datetime
import io
import os
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from core.words import day_cn, month_cn, quarter_cn
from tests.crawl import pages_of, parse, visible_english

DEMO_ROLES = ("xiang", "luozi", "county", "xiemingde", "shenji", "zhanghu")
MACHINE_TEXT = {
    "a dash placeholder": re.compile(r"-{4,}"),
    "a quarter as Q1": re.compile(r"(?<![A-Za-z])Q[1-4](?![0-9])"),
    "an ISO date": re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])"),
}


def problems_on(html: str, allowed: set[str]) -> list[str]:
    found = [f"English: {' '.join(sorted(visible_english(html, allowed=allowed)))}"] if visible_english(
        html, allowed=allowed
    ) else []
    text = " ".join(parse(html).text)
    for what, pattern in MACHINE_TEXT.items():
        hit = pattern.search(text)
        if hit:
            found.append(f"{what}: {hit.group(0)!r}")
    return found


@pytest.fixture
def demo_db(db):
    call_command("seed_demo", password="Chinese-only-2025", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return {u.username for u in get_user_model().objects.all()}


def test_every_page_of_every_role_reads_in_chinese(demo_db):
    failures = []
    for username in DEMO_ROLES:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        pages = pages_of(client)
        assert len(pages) >= 2, f"{username} reaches no page"
        for url, (name, response) in pages.items():
            for problem in problems_on(response.content.decode(), demo_db):
                failures.append(f"{username} {name} {url}: {problem}")
    assert not failures, "\n".join(failures)


def test_the_login_page_reads_in_chinese(db, client):
    assert problems_on(client.get("/accounts/login/").content.decode(), set()) == []


@pytest.mark.parametrize("debug", [False, True])
def test_error_pages_are_chinese_with_debug_on_or_off(debug, org, secretary_a2, county_viewer, client):
    with override_settings(DEBUG=debug):
        client.force_login(secretary_a2)
        missing = client.get("/no-such-page/")
        foreign = client.get(f"/village/{org.a1.pk}/")  # another village: the same 404
        client.force_login(county_viewer)
        denied = client.get(f"/groups/{org.a2_g1.pk}/election/new/")  # the county reads, never records
    assert missing.status_code == foreign.status_code == 404
    for response in (missing, foreign):
        assert "页面不存在" in response.content.decode()
        assert problems_on(response.content.decode(), set()) == []
    assert denied.status_code == 403
    assert "无权操作" in denied.content.decode()
    assert problems_on(denied.content.decode(), set()) == []


def test_dates_and_quarters_are_written_the_chinese_way():
    assert day_cn(datetime.date(2026, 3, 1)) == "2026年3月1日"
    assert month_cn(datetime.date(2026, 3, 1)) == "2026年3月"
    assert [quarter_cn(q) for q in (1, 2, 3, 4)] == ["第一季度", "第二季度", "第三季度", "第四季度"]


def test_a_refused_date_names_the_day_in_chinese(org, secretary_a1):
    from activity.reports.services import held_on_error, report_for

    report = report_for(party_group=org.a1_g1, month=datetime.date(2027, 3, 1), acting_user=secretary_a1)
    message = str(held_on_error(report, datetime.date(2027, 4, 2)))
    assert "2027年3月1日" in message and "2027年3月31日" in message
    assert not re.search(r"\d{4}-\d{2}", message)


def test_the_roster_templates_notes_are_chinese(org, township_staff, client):
    from openpyxl import load_workbook

    client.force_login(township_staff)
    response = client.get("/roster/import/template.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    notes = book["填写说明"]
    text = " ".join(str(v) for row in notes.iter_rows(values_only=True) for v in row if v)
    english = {w for w in re.findall(r"[A-Za-z]{2,}", text)} - {"Excel", "ID", "xlsx"}
    assert not english, english
    assert "身份证号" in text
