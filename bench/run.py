"""`make bench`: the app under gunicorn with the production settings, measured over real HTTP against a seeded database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dangxiaozu_county BENCH_PRESET=county make bench

Measures, as the township's people would use it: each key page's p50/p95 latency and SQL statement count (from the
server's X-Query-Count header, on only in this bench's server), twenty secretaries working at once (requests/s, p95,
errors), and the big exports (seconds, rows/s, the gunicorn worker's peak memory, and raw openpyxl write-only on
the same rows for comparison). Prints a table with each target met or missed, and keeps the run in
bench/results.json under its preset name (county and province side by side). See the README's Performance section.

Environment: DATABASE_URL (required), BENCH_PRESET (county | province, default county), BENCH_PASSWORD (the
personas' password; default DEMO_PASSWORD), BENCH_TOWNSHIP_USER / BENCH_SECRETARY_USER / BENCH_COUNTY_USER (default:
found in the data), BENCH_REQUESTS (100), BENCH_WARMUP (3 per worker), BENCH_WARM_SECONDS (each persona's pages by two
clients per worker at once before any is timed, 3), BENCH_LOAD_CLIENTS (20), BENCH_LOAD_SECONDS (60),
BENCH_WORKERS (gunicorn workers, default WEB_CONCURRENCY or 3), BENCH_TIMEOUT (gunicorn worker timeout, 300 s),
BENCH_EXPORT_REPEAT (each export and its raw baseline, best of: 3 at county scale, 2 at province scale),
BENCH_FLOOR_SECONDS (the one-query floor view under the same clients, default BENCH_LOAD_SECONDS),
BENCH_BURST_CLIENTS (100) and BENCH_BURST_SECONDS (default BENCH_LOAD_SECONDS): the run that may queue but not fail,
BENCH_SKIP (comma-separated: pages, load, exports — parts left out of a quick run), BENCH_SETTLE_LOAD (1.0) and
BENCH_SETTLE_SECONDS (120; 0 to start at once): how long to wait first for the machine's load average to fall;
BENCH_COUNTY_DATABASE_URL (province only): the county's database, served beside by a second gunicorn, each key page
asked of both in turn, so that the province ÷ county ratios come from one run.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results.json"
PRESETS = ("county", "province")
TARGETS = {
    "page_p95_ms": 50,
    "province_vs_county": 1.2,
    "load_p95_ms": 150,
    "load_vs_floor": 0.10,
    "export_peak_mb": 200,
    "export_vs_raw": 0.90,
    "award_report_s": 1.0,
    "province_roster_s": 10.0,
}


def _int_env(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def setup_django() -> dict[str, str]:
    """Django in this process, to read the data; returns the keys the server must be given.

    The server runs with DEBUG off, which needs real keys. Where neither the environment nor .env has them, this
    process reads settings in DEBUG mode, whose development keys are those `DEBUG=True manage.py seed_…` encrypted
    the data with, and hands the same keys to the server."""
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL=postgres://USER@HOST:5432/NAME (a database seeded with seed_scale).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "True"  # this process only: development keys where none are configured
    import django
    from django.conf import settings

    django.setup()
    return {
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "FIELD_HASH_KEY": settings.FIELD_HASH_KEY,
        "DATABASE_URL": os.environ["DATABASE_URL"],
    }


def machine(pg_version: str) -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    import django

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "postgresql": pg_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def check_seeded(preset: str, sizes: dict) -> None:
    if sizes["party_members"] == 0:
        raise SystemExit(
            f"The database at DATABASE_URL has no party members. Seed it first:\n"
            f"  DATABASE_URL=… .venv/bin/python manage.py migrate\n"
            f"  DATABASE_URL=… DEBUG=True .venv/bin/python manage.py seed_scale --preset {preset}\n"
            f"then run `make bench` again."
        )


def password() -> str:
    value = os.environ.get("BENCH_PASSWORD") or os.environ.get("DEMO_PASSWORD")
    if not value:
        raise SystemExit("Set BENCH_PASSWORD to the personas' password (the one given to seed_scale / seed_demo).")
    return value


def run(preset: str) -> dict:
    keys = setup_django()
    from django.db import DatabaseError

    from bench import dataset, scenario
    from bench.server import Server, prepare, production_env

    try:
        sizes = dataset.sizes()
    except DatabaseError as exc:
        raise SystemExit(f"Cannot read the database ({exc}). Run `manage.py migrate` on it, then seed it.") from exc
    check_seeded(preset, sizes)
    personas = dataset.personas()
    leader, leader_password = dataset.bench_leader(scenario.leader_group(personas))
    personas["leader"] = dataset.Persona("leader", leader, None, leader_password)
    pages = scenario.key_pages(personas)
    env = production_env(keys)
    print(f"[bench] {preset}: {sizes['party_members']} members, {sizes['villages']} villages; collectstatic, migrate …")
    prepare(env)
    beside_url = os.environ.get("BENCH_COUNTY_DATABASE_URL") if preset == "province" else None
    beside_env = beside_leader = None
    if beside_url:  # the county's data served beside, its pages asked in turn with the province's (`_pages`)
        beside_env = production_env({**keys, "DATABASE_URL": beside_url})
        prepare(beside_env)
        beside_leader = _in_database(beside_url, "--make-leader")
    admin = dataset.bench_admin() if preset == "province" else None
    skip = set(filter(None, (os.environ.get("BENCH_SKIP") or "").split(",")))
    workers = _int_env("BENCH_WORKERS", _int_env("WEB_CONCURRENCY", 3))
    result = {
        "preset": preset,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "sizes": sizes,
        "machine": machine(dataset.postgres_version()),
        "gunicorn_workers": workers,
        "personas": {role: p.username for role, p in personas.items()},
    }
    timeout = _int_env("BENCH_TIMEOUT", 300)
    try:
        with Server(env, workers=workers, timeout=timeout) as server, contextlib.ExitStack() as beside_stack:
            sessions = {}
            for role, p in personas.items():
                sessions[role] = server.session()
                sessions[role].login(p.username, p.password or password())
            beside_sessions = None
            if beside_env and "pages" not in skip:
                beside = beside_stack.enter_context(Server(beside_env, workers=workers, timeout=timeout))
                leader_there, leader_password_there = beside_leader
                there = {**personas, "leader": dataset.Persona("leader", leader_there, None, leader_password_there)}
                beside_sessions = {}
                for role, p in there.items():
                    beside_sessions[role] = beside.session()
                    beside_sessions[role].login(p.username, p.password or password())
                _warm_workers(beside, there, pages, workers)
            if "pages" not in skip:
                _warm_workers(server, personas, pages, workers)
            result["pages"] = {} if "pages" in skip else _pages(pages, sessions, workers, beside_sessions)
            beside_stack.close()  # the county's server is not needed for the load and the exports
            result["load"] = None if "load" in skip else _load(server, personas, pages)
            result["exports"] = {} if "exports" in skip else _exports(server, sessions, personas, admin)
    finally:
        dataset.retire_bench_admin()
        if beside_url:
            _in_database(beside_url, "--retire-accounts")
    return result


def _in_database(url: str, command: str):
    """This script's `command` run against another database (the county's, served beside the province's): its
    answer, the last line it prints, read as JSON."""
    done = subprocess.run(  # noqa: S603 — this interpreter and this file
        [sys.executable, str(Path(__file__).resolve()), command],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _warm_workers(server, personas, pages, workers: int) -> None:
    """Every worker through every persona's pages before anything is timed, by two clients per worker at once:
    gunicorn gives a request to whichever worker is free, so the pages' warm-up, one request after another, could
    leave a worker that had served none; its first timed request then paid the process's own start (the URLconf's
    views imported, templates and translations loaded: ~100 ms) and showed as two slow requests in the first page
    measured."""
    from bench import scenario

    print(f"[bench] warming {workers} workers")
    for role, persona in personas.items():
        mine = [p for p in pages if p.persona == role and p.form is None]
        if not mine:
            continue
        sessions = []
        for _ in range(2 * workers):
            s = server.session()
            s.login(persona.username, persona.password or password())
            sessions.append(s)
        scenario.measure_load(sessions, mine, seconds=float(os.environ.get("BENCH_WARM_SECONDS") or 3))


def _pages(pages, sessions, workers: int, beside_sessions=None) -> dict:
    """Each page warmed up on every worker first (gunicorn hands requests to whichever worker is free, and a
    worker's first visit to a page loads templates and translations), then timed; with the county's server beside
    (`BENCH_COUNTY_DATABASE_URL`), the same page there in turn, request by request (`county_beside`)."""
    from bench import scenario

    warmup = _int_env("BENCH_WARMUP", 3 * workers)
    # 100: the p95 of 30 was the second-slowest answer, which one pause of the machine decided (the ratios of
    # pages of 10–20 ms swung by a third between runs on the same data); of 100 it is the sixth-slowest
    requests = _int_env("BENCH_REQUESTS", 100)
    out = {}
    for page in pages:
        print(f"[bench] page: {page.name}")
        if beside_sessions is None:
            out[page.name] = scenario.measure_page(sessions[page.persona], page, requests=requests, warmup=warmup)
        else:
            mine, theirs = scenario.measure_pair(
                sessions[page.persona], beside_sessions[page.persona], page, requests=requests, warmup=warmup
            )
            out[page.name] = {**mine, "county_beside": theirs}
        out[page.name]["load_average"] = round(os.getloadavg()[0], 2)
    return out


def _load(server, personas, pages) -> dict:
    from bench import scenario

    clients = _int_env("BENCH_LOAD_CLIENTS", 20)
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS") or 60)
    floor_seconds = float(os.environ.get("BENCH_FLOOR_SECONDS") or seconds)
    burst = _int_env("BENCH_BURST_CLIENTS", 100)
    burst_seconds = float(os.environ.get("BENCH_BURST_SECONDS") or seconds)
    mix = [p for p in pages if p.persona == "secretary" and p.form is None]

    def secretaries(n: int) -> list:
        sessions = []
        for _ in range(n):
            s = server.session()
            s.login(personas["secretary"].username, password())
            sessions.append(s)
        return sessions

    print(f"[bench] load: {clients} clients for {seconds:.0f} s")
    out = scenario.measure_load(secretaries(clients), mix, seconds=seconds)
    out["load_average"] = round(os.getloadavg()[0], 2)
    # the framework's floor: the same clients on a one-query view (bench.urls), not logged in, through the same server
    print(f"[bench] load: the one-query floor view, {clients} clients for {floor_seconds:.0f} s")
    floor = scenario.measure_load(
        [server.session() for _ in range(clients)], [scenario.Page("floor", "none", "/bench/floor/")],
        seconds=floor_seconds,
    )  # fmt: skip
    out["floor"] = {k: floor[k] for k in ("requests_per_s", "p50_ms", "p95_ms", "errors")}
    out["vs_floor"] = round(out["requests_per_s"] / floor["requests_per_s"], 3) if floor["requests_per_s"] else None
    print(f"[bench] load: {burst} clients for {burst_seconds:.0f} s")
    big = scenario.measure_load(secretaries(burst), mix, seconds=burst_seconds)
    out["burst"] = {k: big[k] for k in ("clients", "seconds", "requests_per_s", "p50_ms", "p95_ms", "errors")}
    out["burst"]["error_samples"] = big["error_samples"]
    return out


def _exports(server, sessions, personas, admin) -> dict:
    from django.urls import reverse

    from bench import dataset, scenario

    out = {}
    repeat = _int_env("BENCH_EXPORT_REPEAT", 2 if admin else 3)
    township = personas["township"].assignment.township
    year = dataset.latest_year(township, decided=True)
    if year:
        print("[bench] export: award report")
        out["award report (township)"] = scenario.measure_export(
            server,
            sessions["township"],
            reverse("reports:award-report", args=[year.pk]),
            rows=dataset.award_report_rows(year),
            repeat=repeat,
        )
    targets = [("roster (county)", sessions["county"], personas["county"])]
    if admin:
        province = server.session()
        province.login(*admin)
        targets.append(("roster (province)", province, None))
    for name, session, persona in targets:
        villages = dataset.roster_villages(persona)
        print(f"[bench] export: {name}: reading the rows for the raw openpyxl baseline …")
        rows = dataset.roster_sheet_rows(villages)
        print(f"[bench] export: {name}: {len(rows)} rows, {repeat} × (raw openpyxl, then the job over HTTP) …")
        out[name] = scenario.measure_job_export(  # a county's and everyone's roster are made as jobs
            server,
            session,
            reverse("roster:roster-job"),
            rows=len(rows),
            repeat=repeat,
            raw=lambda rows=rows: dataset.raw_openpyxl_seconds(rows),
        )
        del rows
    return out


# --- the verdict -----------------------------------------------------------------------------------------------------


def verdicts(result: dict, county: dict | None) -> list[tuple[str, bool, str]]:
    """Each target with whether this run met it. At province scale each page is also compared with the county run
    kept in bench/results.json: the ratio of the two p95s, and the same number of SQL statements."""
    out = []
    limit, ratio_limit = TARGETS["page_p95_ms"], TARGETS["province_vs_county"]
    for name, page in result["pages"].items():
        out.append((f"page {name}", page["p95_ms"] <= limit, f"p95 {page['p95_ms']} ms ≤ {limit} ms"))
        near = page.get("county_beside")
        when = "same run, alternated" if near else "the county run kept"
        if near is None and result["preset"] == "province":
            near = (county or {}).get("pages", {}).get(name)
        if near:
            ratio = page["p95_ms"] / near["p95_ms"] if near["p95_ms"] else float("inf")
            page["vs_county"] = round(ratio, 2)
            out.append(
                (
                    f"page {name} flat",
                    ratio <= ratio_limit,
                    f"province / county p95 {ratio:.2f} ≤ {ratio_limit} ({page['p95_ms']} / {near['p95_ms']} ms, "
                    f"{when})",
                )
            )
            out.append(
                (
                    f"page {name} queries",
                    page["queries"] == near["queries"],
                    f"{page['queries']} SQL statements, county {near['queries']}",
                )
            )
    load = result.get("load")
    if load:
        out.append(
            (
                "load",
                load["errors"] == 0 and load["p95_ms"] <= TARGETS["load_p95_ms"],
                f"{load['clients']} clients: {load['errors']} errors, "
                f"p95 {load['p95_ms']} ms ≤ {TARGETS['load_p95_ms']} ms",
            )
        )
        if load.get("vs_floor") is not None:
            out.append(
                (
                    "load vs floor",
                    load["vs_floor"] >= TARGETS["load_vs_floor"],
                    f"{load['requests_per_s']} req/s = {load['vs_floor']:.1%} of the one-query view's "
                    f"{load['floor']['requests_per_s']} req/s ≥ {TARGETS['load_vs_floor']:.0%}",
                )
            )
        burst = load.get("burst")
        if burst:
            out.append(
                (
                    "load burst",
                    burst["errors"] == 0,
                    f"{burst['clients']} clients: {burst['errors']} errors (p95 {burst['p95_ms']} ms, may queue)",
                )
            )
    for name, export in result["exports"].items():
        out.append(
            (
                f"export {name} memory",
                export["worker_peak_mb"] < TARGETS["export_peak_mb"],
                f"peak {export['worker_peak_mb']} MB < {TARGETS['export_peak_mb']} MB",
            )
        )
        if "throughput_vs_raw" in export:
            out.append(
                (
                    f"export {name} throughput",
                    export["throughput_vs_raw"] >= TARGETS["export_vs_raw"],
                    f"{export['throughput_vs_raw']:.0%} of raw openpyxl ≥ {TARGETS['export_vs_raw']:.0%}",
                )
            )
            if "province" in name:
                out.append(
                    (
                        f"export {name} time",
                        export["seconds"] < TARGETS["province_roster_s"],
                        f"{export['seconds']} s < {TARGETS['province_roster_s']} s",
                    )
                )
        else:
            out.append(
                (
                    f"export {name} time",
                    export["seconds"] < TARGETS["award_report_s"],
                    f"{export['seconds']} s < {TARGETS['award_report_s']} s",
                )
            )
    return out


def print_table(result: dict, checks) -> None:
    before, after = result.get("load_average_before"), result.get("load_average_after")
    print(
        f"\n== {result['preset']}: {result['sizes']['party_members']} members, "
        f"{result['sizes']['villages']} villages, {result['sizes']['activities']} activities; "
        f"load average {_loadavg(before)} before, {_loadavg(after)} after; {result['machine']['cores']} cores =="
    )
    if result["pages"]:
        print(f"{'page':44} {'persona':10} {'p50 ms':>7} {'p95 ms':>7} {'queries':>7} {'÷county':>7} {'load':>5}")
        for name, p in result["pages"].items():
            print(
                f"{name:44} {p['persona']:10} {p['p50_ms']:>7} {p['p95_ms']:>7} {p['queries']!s:>7} "
                f"{p.get('vs_county', '–')!s:>7} {p.get('load_average', '–')!s:>5}"
            )
    load = result.get("load")
    if load:
        print(
            f"\nload: {load['clients']} clients × {load['seconds']} s: {load['requests_per_s']} req/s, "
            f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, {load['errors']} errors (load average "
            f"{load.get('load_average', '–')})"
        )
        floor = load.get("floor")
        if floor:
            print(
                f"floor (one-query view, same clients): {floor['requests_per_s']} req/s, p95 {floor['p95_ms']} ms, "
                f"{floor['errors']} errors; the mix reaches {load['vs_floor']:.1%} of it"
            )
        burst = load.get("burst")
        if burst:
            print(
                f"burst: {burst['clients']} clients × {burst['seconds']} s: {burst['requests_per_s']} req/s, "
                f"p95 {burst['p95_ms']} ms, {burst['errors']} errors"
            )
    if result["exports"]:
        print(
            f"\n{'export':26} {'rows':>8} {'s':>7} {'rows/s':>8} {'peak MB':>8} {'raw s':>7} {'vs raw':>7} "
            f"{'queries':>8}"
        )
        for name, e in result["exports"].items():
            print(
                f"{name:26} {e['rows']:>8} {e['seconds']:>7} {e['rows_per_s']!s:>8} {e['worker_peak_mb']:>8} "
                f"{e.get('raw_openpyxl_seconds', '–')!s:>7} {e.get('throughput_vs_raw', '–')!s:>7} "
                f"{e['queries']!s:>8}"
            )
    print()
    for name, ok, detail in checks:
        print(f"{'target met   ' if ok else 'target missed'} {name}: {detail}")


def _loadavg(values) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "–"


def markdown(saved: dict) -> str:
    """The results kept in bench/results.json as the README's tables (`python bench/run.py --markdown`)."""
    county, province = saved.get("county", {}), saved.get("province", {})
    lines = [
        "| page (persona) | county p50 / p95 ms | province p50 / p95 ms | province ÷ county p95 | SQL statements |",
        "|---|---|---|---|---|",
    ]
    for name, page in county.get("pages", {}).items():
        other = province.get("pages", {}).get(name)
        far = f"{other['p50_ms']} / {other['p95_ms']}" if other else "–"
        ratio = other.get("vs_county", "–") if other else "–"
        lines.append(
            f"| {name} ({page['persona']}) | {page['p50_ms']} / {page['p95_ms']} | {far} | {ratio} "
            f"| {page['queries']} |"
        )
    lines += [
        "",
        "| load, no pause | requests/s | p50 ms | p95 ms | errors | one-query floor req/s | mix ÷ floor |",
        "|---|---|---|---|---|---|---|",
    ]
    for preset, run in (("county", county), ("province", province)):
        load = run.get("load") if run else None
        if load:
            floor = load.get("floor") or {}
            lines.append(
                f"| {preset}: {load['clients']} secretaries | {load['requests_per_s']} | {load['p50_ms']} | "
                f"{load['p95_ms']} | {load['errors']} | {floor.get('requests_per_s', '–')} | "
                f"{load.get('vs_floor', '–')} |"
            )
            burst = load.get("burst")
            if burst:
                lines.append(
                    f"| {preset}: {burst['clients']} secretaries | {burst['requests_per_s']} | {burst['p50_ms']} | "
                    f"{burst['p95_ms']} | {burst['errors']} | | |"
                )
    lines += [
        "",
        "| export | rows | seconds | rows/s | worker peak MB | raw openpyxl s | vs raw |",
        "|---|---|---|---|---|---|---|",
    ]
    for preset, run in (("county", county), ("province", province)):
        for name, e in run.get("exports", {}).items():
            lines.append(
                f"| {name}, {preset} data | {e['rows']} | {e['seconds']} | {e['rows_per_s']} | {e['worker_peak_mb']} "
                f"| {e.get('raw_openpyxl_seconds', '–')} | {e.get('throughput_vs_raw', '–')} |"
            )
    return "\n".join(lines)


def settle(limit: float, most: float, *, every: float = 5.0) -> float:
    """Wait up to `most` seconds for the 1-minute load average to fall to `limit`: work that ended just before (the
    county run, when the province one follows it) would otherwise weigh on the first pages measured, which then read
    as slower than the county's. Returns the seconds waited."""
    started = time.monotonic()
    load = os.getloadavg()[0]
    if load > limit and most > 0:
        print(f"[bench] waiting up to {most:.0f} s for the load average ({load:.2f}) to fall to {limit}")
    while load > limit and time.monotonic() - started < most:
        time.sleep(every)
        load = os.getloadavg()[0]
    return round(time.monotonic() - started, 1)


def main() -> int:
    if "--markdown" in sys.argv:
        print(markdown(json.loads(RESULTS.read_text())))
        return 0
    if "--make-leader" in sys.argv:  # in the database served beside (`_in_database`)
        setup_django()
        from bench import dataset, scenario

        print(json.dumps(dataset.bench_leader(scenario.leader_group(dataset.personas()))))
        return 0
    if "--retire-accounts" in sys.argv:
        setup_django()
        from bench import dataset

        dataset.retire_bench_admin()
        print("null")
        return 0
    preset = os.environ.get("BENCH_PRESET", "county")
    if preset not in PRESETS:
        raise SystemExit(f"BENCH_PRESET must be one of {', '.join(PRESETS)}.")
    waited = settle(
        float(os.environ.get("BENCH_SETTLE_LOAD") or 1.0), float(os.environ.get("BENCH_SETTLE_SECONDS") or 120)
    )
    started = time.monotonic()
    load_before = os.getloadavg()
    result = run(preset)
    result["load_average_before"] = load_before
    result["settle_seconds"] = waited
    result["bench_seconds"] = round(time.monotonic() - started)
    result["load_average_after"] = os.getloadavg()  # other work on the machine shows here
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    checks = verdicts(result, saved.get("county"))
    result["targets"] = [{"target": n, "met": ok, "detail": d} for n, ok, d in checks]
    saved[preset] = result
    RESULTS.write_text(json.dumps(saved, ensure_ascii=False, indent=2) + "\n")
    print_table(result, checks)
    print(f"\nwrote {RESULTS.relative_to(ROOT)} ({result['bench_seconds']} s)")
    return 0 if all(ok for _n, ok, _d in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
