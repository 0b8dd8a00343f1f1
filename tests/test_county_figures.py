"""The county's read-only overview pages count a whole county: their figures are kept a minute for the same reach
(core/figures.py) in a table every app server shares, and the page says when they were counted. A new day is counted
afresh at once; two readers share figures only when they see the same villages."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import translation

from core.figures import kept_rendered
from orglife.meetings.models import Kind
from orglife.meetings.services import meeting_record
from tests.clock import beijing
from tests.test_dashboards import county_url, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    settings.COUNTY_FIGURES_SECONDS = 60
    caches["figures"].clear()
    yield
    caches["figures"].clear()


def _row(response, township: str) -> dict:
    return next(r for r in response.context["rows"] if r["township"].name == township)


def _shown_row(response, township: str) -> str:
    """The township's row of the table as the page shows it (rendered once per counting and kept with the figures)."""
    html = response.content.decode()
    table = html[html.index('id="townships"') : html.index("</table>", html.index('id="townships"'))]
    return next(row for row in table.split("<tr>") if f">{township}</a>" in row)


def test_the_county_overview_is_counted_once_a_minute_and_says_when(
    org, county_viewer, secretary_a1, login, frozen_at, kept
):
    frozen_at(beijing(2027, 6, 15, 10, 0), tick=False)
    client = login(county_viewer)
    first = client.get(county_url(org.county))
    assert _row(first, "东河乡")["cur_done"] == 0
    assert "统计于 10:00，每分钟更新" in first.content.decode()

    with connection.cursor() as cursor:  # kept in the table every app server reads, not in one process's memory
        cursor.execute("SELECT COUNT(*) FROM core_kept_figures")
        assert cursor.fetchone()[0] == 1  # the figures and the table rendered from them: one entry

    submit(org.a1_g1, datetime.date(2027, 6, 1), secretary_a1)
    frozen_at(beijing(2027, 6, 15, 10, 0) + datetime.timedelta(seconds=59), tick=False)
    still = client.get(county_url(org.county))
    assert _row(still, "东河乡")["cur_done"] == 0  # the figures counted at 10:00, as the page says
    assert "统计于 10:00" in still.content.decode()
    assert _shown_row(still, "东河乡") == _shown_row(first, "东河乡")  # and the table shows those same figures

    frozen_at(beijing(2027, 6, 15, 10, 1) + datetime.timedelta(seconds=1), tick=False)
    fresh = client.get(county_url(org.county))
    assert _row(fresh, "东河乡")["cur_done"] == 1
    assert "统计于 10:01，每分钟更新" in fresh.content.decode()
    groups = _row(fresh, "东河乡")["groups"]
    assert f"<td>1/{groups}</td>" in _shown_row(fresh, "东河乡")
    assert f"<td>0/{groups}</td>" in _shown_row(first, "东河乡")


def test_a_new_month_is_counted_at_once_not_a_minute_later(org, county_viewer, login, frozen_at, kept):
    frozen_at(beijing(2027, 6, 30, 23, 59) + datetime.timedelta(seconds=40), tick=False)
    client = login(county_viewer)
    assert "2027年6月" in client.get(county_url(org.county)).content.decode()
    frozen_at(
        beijing(2027, 7, 1, 0, 0) + datetime.timedelta(seconds=5), tick=False
    )  # 25 s later, in Beijing a new day and month
    page = client.get(county_url(org.county)).content.decode()
    assert "2027年7月" in page and "统计于 00:00" in page


def test_the_county_orglife_table_is_kept_the_same_way(org, county_viewer, login, frozen_at, kept):
    frozen_at(beijing(2027, 6, 15, 9, 30), tick=False)
    client = login(county_viewer)
    url = reverse("orglife:county", args=[org.county.pk, 2027])

    def luozi_row() -> str:
        page = client.get(url).content.decode()
        assert "统计于 09:30" in page or "统计于 09:31" in page
        body = page[page.index("<tbody>") : page.index("</tbody>")]
        return next(r for r in body.split("<tr>")[1:] if "罗紫村" in r.split("</td>")[0]), page

    before, page = luozi_row()
    assert "统计于 09:30，每分钟更新" in page
    meeting_record(village=org.a1, kind=Kind.ASSEMBLY, held_on=datetime.date(2027, 2, 10), topic="会议",
                   acting_user=None, marks=[])  # fmt: skip
    assert luozi_row()[0] == before  # within the minute: the same figures
    frozen_at(beijing(2027, 6, 15, 9, 31) + datetime.timedelta(seconds=1), tick=False)
    after, page = luozi_row()
    assert after != before and "统计于 09:31" in page


def test_figures_are_shared_only_between_readers_of_the_same_villages(kept):
    counted = []

    def compute():
        counted.append(1)
        return len(counted)

    def kept_figures(page, villages):
        figures, _, part = kept_rendered(page, villages, compute, lambda n: f"<td>{n}</td>")
        assert part == f"<td>{figures}</td>"  # the part rendered from the figures kept with it
        return figures

    assert kept_figures("county:1:2027-06-15", [1, 2, 3]) == 1
    assert kept_figures("county:1:2027-06-15", [3, 1, 2]) == 1  # the same villages, in any order
    assert kept_figures("county:1:2027-06-15", [1, 2]) == 2  # a narrower reach: its own count
    assert kept_figures("orglife-county:1:2027-06-15", [1, 2, 3]) == 3  # another page
    with translation.override("en"):
        assert kept_figures("county:1:2027-06-15", [1, 2, 3]) == 4  # rendered in another language: its own


def test_without_keeping_every_request_counts_afresh(org, county_viewer, secretary_a1, login, settings):
    settings.COUNTY_FIGURES_SECONDS = 0
    client = login(county_viewer)
    assert _row(client.get(county_url(org.county)), "东河乡")["cur_done"] == 0
    submit(org.a1_g1, datetime.date(2027, 6, 1), secretary_a1)
    page = client.get(county_url(org.county))
    assert _row(page, "东河乡")["cur_done"] == 1
    assert "每分钟更新" not in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_migrate_makes_the_shared_table_when_it_is_missing():
    """`make serve` runs `migrate` before the app servers start: the table is there even on a database made before
    it existed (the test runner makes it too, so it is dropped first)."""
    from django.core.management import call_command

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE core_kept_figures")
    assert "core_kept_figures" not in connection.introspection.table_names()
    call_command("migrate", verbosity=0)
    assert "core_kept_figures" in connection.introspection.table_names()


def test_a_new_release_never_shows_what_the_last_one_kept(kept, monkeypatch):
    """What is kept is keyed by the release's fingerprint: a list drawn with last release's template is not shown
    once the new release is running, though its village did not change."""
    from core import figures

    monkeypatch.setattr(figures, "release", lambda: "release-1")
    assert figures.kept("village:standing:1:7", 3600, lambda: "<td>202/6年</td>") == "<td>202/6年</td>"
    assert figures.kept("village:standing:1:7", 3600, lambda: "drawn again") == "<td>202/6年</td>"
    monkeypatch.setattr(figures, "release", lambda: "release-2")
    assert figures.kept("village:standing:1:7", 3600, lambda: "<td>2026年2月10日</td>") == "<td>2026年2月10日</td>"


def test_the_release_fingerprint_follows_the_templates_code_and_translations_not_the_tests(tmp_path, settings):
    from core.figures import release

    (tmp_path / "templates").mkdir()
    (tmp_path / "tests").mkdir()
    (tmp_path / "locale").mkdir()
    page, test, catalogue = tmp_path / "templates/page.html", tmp_path / "tests/test_page.py", tmp_path / "locale/zh.mo"
    page.write_text("<td>{{ day }}</td>")
    test.write_text("assert True")
    catalogue.write_bytes(b"\x00")
    settings.BASE_DIR = tmp_path

    def fingerprint() -> str:
        release.cache_clear()
        return release()

    try:
        first = fingerprint()
        assert fingerprint() == first
        test.write_text("assert 1 == 1")
        assert fingerprint() == first
        page.write_text('<td class="nowrap">{{ day }}</td>')
        second = fingerprint()
        assert second != first
        catalogue.write_bytes(b"\x01")
        assert fingerprint() not in (first, second)
    finally:
        release.cache_clear()
