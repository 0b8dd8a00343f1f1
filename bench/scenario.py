"""What the bench measures: the key pages one at a time, twenty secretaries at once, and the big exports."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.urls import reverse

from bench import dataset
from bench.client import Response, Session, form_value, summary_ms
from core import clock, periods


@dataclass
class Page:
    name: str
    persona: str
    path: str
    expect: int = 200
    form: Callable[[Session], dict] | None = None  # a POST: the form data, read fresh before each request


def leader_group(personas: dict[str, dataset.Persona]):
    """The party group the pages of one group are measured on (and the bench's group leader leads): the
    secretary's village's group with the most activities last month."""
    return dataset.busiest_group(personas["secretary"].assignment.village, periods.previous_month(clock.this_month()))


def key_pages(personas: dict[str, dataset.Persona]) -> list[Page]:
    """Every key page, for the persona who works on it, on the fullest objects in their reach: the role home pages
    (工作台: branch, township, county, group leader), the daily work, organisational life, standing, 流动党员 and
    dues."""
    village = personas["secretary"].assignment.village
    township = personas["township"].assignment.township
    county = personas["county"].assignment.county
    this = clock.this_month()
    last = periods.previous_month(this)
    group = leader_group(personas)
    report_now = reverse("activity:report", args=[group.pk, this])
    year = dataset.latest_year(township)
    awards = reverse("awards:year", args=[year.pk]) if year else None

    def summary_form(session: Session) -> dict:
        version = form_value(session.get(report_now).text(), "version")
        return {"version": version or "0", "summary": "本月开展入户走访和政策宣传（性能测试）。"}

    pages = [
        Page("branch dashboard", "secretary", reverse("village", args=[village.pk])),
        Page("group leader home (this month)", "leader", reverse("activity:report", args=[group.pk, this])),
        Page("village month", "secretary", reverse("activity:village-month", args=[village.pk, this])),
        Page("monthly report", "secretary", reverse("activity:report", args=[group.pk, last])),
        Page(
            "monthly report: save the summary",
            "secretary",
            reverse("activity:report-action", args=[group.pk, this, "summary"]),
            expect=302,
            form=summary_form,
        ),
        Page("concern queue (branch)", "secretary", reverse("concerns:list")),
        Page("fund ledger", "secretary", reverse("funds:ledger", args=[dataset.busiest_ledger(village).pk])),
        Page("township dashboard", "township", reverse("township", args=[township.pk])),
        Page("concern queue (township)", "township", reverse("concerns:list")),
        Page(
            "admin members with a search",
            "township",
            reverse("admin:members_partymember_changelist") + "?q=" + quote(dataset.common_surname(township)),
        ),
        Page("county overview", "county", reverse("county", args=[county.pk])),
        Page(
            "month close preview (branch)",
            "secretary",
            reverse("activity:village-month-close", args=[village.pk, last]),
        ),
        Page(
            "month close preview (township)",
            "township",
            reverse("activity:township-month-close", args=[township.pk, last]),
        ),
        Page("orglife compliance (branch)", "secretary", reverse("orglife:village", args=[village.pk, this.year])),
        Page("orglife compliance (township)", "township", reverse("orglife:township", args=[township.pk, this.year])),
        Page("orglife compliance (county)", "county", reverse("orglife:county", args=[county.pk, this.year])),
        Page("member standing (branch)", "secretary", reverse("standing:village", args=[village.pk])),
        Page("流动党员 and standing (township)", "township", reverse("standing:township", args=[township.pk])),
        Page("dues book", "secretary", reverse("dues:book", args=[village.pk, this.year])),
        Page("dues summary (township)", "township", reverse("dues:township", args=[township.pk, this.year])),
    ]
    if awards:
        pages += [
            Page("award ranking: groups", "township", awards),
            Page("award ranking: leaders", "township", awards + "?kind=excellent_leader"),
            Page("award ranking: members", "township", awards + "?kind=excellent_member"),
        ]
    return pages


def _send(session: Session, page: Page) -> Response:
    if page.form is None:
        return session.get(page.path)
    return session.post(page.path, page.form(session))


def measure_page(session: Session, page: Page, *, requests: int, warmup: int) -> dict:
    """p50/p95 over `requests` after `warmup`, the statements the server ran, and the page size."""
    for _ in range(warmup):
        _send(session, page)
    answers = [_answered(session, page) for _ in range(requests)]
    return _page_summary(page, answers)


def measure_pair(session: Session, beside: Session, page: Page, *, requests: int, warmup: int) -> tuple[dict, dict]:
    """`measure_page` on two servers at once, their requests alternated (this one's, then the other's, `requests`
    times): the province's page and the county's in the same seconds, so that the machine's drift (other work, its
    speed from one minute to the next) weighs on both alike and their ratio is the data's doing."""
    for _ in range(warmup):
        _send(session, page)
        _send(beside, page)
    mine, theirs = [], []
    for _ in range(requests):
        mine.append(_answered(session, page))
        theirs.append(_answered(beside, page))
    return _page_summary(page, mine), _page_summary(page, theirs)


def _answered(session: Session, page: Page) -> Response:
    answer = _send(session, page)
    if answer.status != page.expect:
        raise SystemExit(f"{page.name}: {page.path} answered {answer.status}, expected {page.expect}")
    return answer


def _page_summary(page: Page, answers: list[Response]) -> dict:
    # the page's own count is the usual one: a request that also refreshed the session's activity stamp (every few
    # minutes, whichever request it falls on) ran one more, and would make the scales' counts differ by chance
    counts = [a.queries for a in answers]
    return {
        "path": page.path,
        "persona": page.persona,
        **summary_ms([a.seconds for a in answers]),
        "queries": Counter(counts).most_common(1)[0][0],
        "queries_seen": sorted(set(counts)),
        "bytes": len(answers[-1].body),
    }


# --- load ----------------------------------------------------------------------------------------------------------


def measure_load(sessions: list[Session], pages: list[Page], *, seconds: float) -> dict:
    """Each session a secretary clicking through their pages without pause, all at once, for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client(session: Session, offset: int) -> None:
        k = offset
        while time.monotonic() < deadline:
            page = pages[k % len(pages)]
            k += 1
            try:
                answer = session.get(page.path)
                ok = answer.status == page.expect
            except OSError as exc:
                with lock:
                    errors.append(f"{page.name}: {exc}")
                continue
            with lock:
                latencies.append(answer.seconds)
                if not ok:
                    errors.append(f"{page.name}: HTTP {answer.status}")

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(s, i)) for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "clients": len(sessions),
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        **summary_ms(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "pages": [p.name for p in pages],
    }


# --- exports ---------------------------------------------------------------------------------------------------------


def measure_export(server, session: Session, path: str, *, rows: int, repeat: int = 1, raw=None) -> dict:
    """A download `repeat` times: the fastest time, rows/s, the serving worker's peak memory (the highest of the
    runs), and for rosters the raw openpyxl floor (`raw()` → seconds, also its fastest of `repeat`), run in turn
    with the downloads so that other load on the machine weighs on both alike."""
    times, raws, peaks, last = [], [], [], None
    for _ in range(repeat):
        if raw is not None:
            raws.append(raw())
        before = server.reset_peak_memory()
        last = session.get(path)
        if last.status != 200:
            raise SystemExit(f"{path} answered {last.status}")
        after = server.peak_memory()
        worker = max(after, key=lambda pid: after[pid] - before.get(pid, 0))
        times.append(last.seconds)
        peaks.append((after[worker], before.get(worker)))
    seconds = min(times)
    peak, baseline = max(peaks)
    out = {
        "path": path,
        "runs": repeat,
        "seconds": round(seconds, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "bytes": len(last.body),
        "queries": last.queries,
        "worker_rss_before_mb": baseline,
        "worker_peak_mb": peak,
    }
    if raws:
        out["raw_openpyxl_seconds"] = round(min(raws), 2)
        out["raw_rows_per_s"] = round(rows / min(raws)) if min(raws) else None
        out["throughput_vs_raw"] = round(min(raws) / seconds, 2)
    return out


def made_as_job(session: Session, page: str) -> tuple[Response, Response]:
    """A roster made as a job, as the person makes it: the page's button (its one-time key) starts the job, which
    the bench's server runs inside that request (JOBS_BACKEND=inline), then the file is downloaded from the job's
    page. Returns the start (the job's run) and the download."""
    key = form_value(session.get(page).text(), "submission_key")
    started = session.post(page, {"submission_key": key})
    if started.status != 302:
        raise SystemExit(f"{page} answered {started.status} to starting the job")
    location = started.headers["location"]
    progress = session.get(location)
    match = re.search(r'href="(/jobs/[^"]+/file)"', progress.text())
    if progress.status != 200 or match is None:
        raise SystemExit(f"the job at {location} offers no file (HTTP {progress.status})")
    return started, session.get(match.group(1))


def measure_job_export(server, session: Session, page: str, *, rows: int, repeat: int = 1, raw=None) -> dict:
    """`measure_export` for an export made as a job: its seconds are the job's run (the request that starts it,
    reading, writing and storing the file encrypted) plus the download, the worker's peak memory that of both; the
    raw openpyxl floor run in turn with them, as for the downloads."""
    times, raws, peaks, last = [], [], [], None
    for _ in range(repeat):
        if raw is not None:
            raws.append(raw())
        before = server.reset_peak_memory()
        started, last = made_as_job(session, page)
        if last.status != 200:
            raise SystemExit(f"the job's file answered {last.status}")
        after = server.peak_memory()
        worker = max(after, key=lambda pid: after[pid] - before.get(pid, 0))
        times.append((started.seconds + last.seconds, started.seconds))
        peaks.append((after[worker], before.get(worker)))
    seconds, made = min(times)
    peak, baseline = max(peaks)
    out = {
        "path": page,
        "runs": repeat,
        "seconds": round(seconds, 2),
        "job_seconds": round(made, 2),
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "bytes": len(last.body),
        "queries": started.queries,
        "worker_rss_before_mb": baseline,
        "worker_peak_mb": peak,
    }
    if raws:
        out["raw_openpyxl_seconds"] = round(min(raws), 2)
        out["raw_rows_per_s"] = round(rows / min(raws)) if min(raws) else None
        out["throughput_vs_raw"] = round(min(raws) / seconds, 2)
    return out
