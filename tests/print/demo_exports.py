"""Every Excel export of the demo township, downloaded the way its people download them (the test client, logged
in as the township's staff), written into a folder for LibreOffice to print."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from appraisal.models import AppraisalYear
from core import clock
from groups.models import VillagerGroup
from township.models import Township, Village

TOWNSHIP = "金溪乡"


def filename_of(response) -> str:
    disposition = response["Content-Disposition"]
    encoded = disposition.split("filename*=", 1)[1].split(";")[0]
    return unquote(encoded.split("''", 1)[1])


def export_urls() -> list[tuple[str, str]]:
    """(username, URL) of each export of the demo township: the award report of a decided year and of the open year
    (a draft), the scores and the branch appraisal, the 公示 of the ledger with the weir and the road, the roster,
    the import template, the security auditor's events, the away members, and this year's organisational life: 罗紫村's
    会议记录本 and the township's compliance table; the dues register, arrears list and remittance summary."""
    years = {y.year: y for y in AppraisalYear.objects.filter(township__name=TOWNSHIP)}
    decided = max(y for y, obj in years.items() if obj.state == AppraisalYear.State.DECIDED)
    open_year = max(years)
    vg = VillagerGroup.objects.get(village__name="罗紫村", number=5)
    return [
        ("xiang", reverse("reports:award-report", args=[years[decided].pk])),
        ("xiang", reverse("reports:award-report", args=[years[open_year].pk])),
        ("xiang", reverse("appraisal:scores-xlsx", args=[years[decided].pk])),
        ("xiang", reverse("appraisal:branches-xlsx", args=[years[decided].pk])),
        ("luozi", reverse("funds:disclosure-xlsx", args=[vg.pk]) + f"?start={decided}-01-01&end={decided}-12-31"),
        ("xiang", reverse("roster:roster")),
        ("xiang", reverse("roster:import-template")),
        ("xiang", reverse("roster:national")),
        ("shenji", reverse("audit:events-xlsx")),
        ("xiang", reverse("standing:township-away-xlsx", args=[Township.objects.get(name=TOWNSHIP).pk])),
        *orglife_urls(),
        *dues_urls(),
    ]


def orglife_urls() -> list[tuple[str, str]]:
    """The organisational-life exports of this year (the demo's meetings run to last month): the branch secretary's
    会议记录本 of 罗紫村 and the township's compliance workbook."""
    year = clock.this_year()
    luozi = Village.objects.get(name="罗紫村", township__name=TOWNSHIP)
    return [
        ("luozi", reverse("orglife:record-book", args=[luozi.pk, year])),
        ("xiang", reverse("orglife:township-xlsx", args=[luozi.township_id, year])),
    ]


def dues_urls() -> list[tuple[str, str]]:
    """The dues workbooks of this year: 罗紫村's 党费收缴登记表 and arrears list (its secretary's), and the township's
    remittance summary."""
    year = clock.this_year()
    luozi = Village.objects.get(name="罗紫村", township__name=TOWNSHIP)
    return [
        ("luozi", reverse("dues:register-xlsx", args=[luozi.pk, year])),
        ("luozi", reverse("dues:arrears-xlsx", args=[luozi.pk])),
        ("xiang", reverse("dues:township-xlsx", args=[luozi.township_id, year])),
    ]


def download_all(folder: Path) -> list[Path]:
    """Download every export into `folder`; returns the files written, named as the browser would save them."""
    folder.mkdir(parents=True, exist_ok=True)
    users = get_user_model().objects
    written = []
    for username, url in export_urls():
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(users.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        path = folder / filename_of(response)
        path.write_bytes(content)
        written.append(path)
    return written
