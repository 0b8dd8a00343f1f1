"""The roster export beside raw openpyxl write-only on the same rows, in one process, alternated (no server, no HTTP).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale_county .venv/bin/python bench/export_compare.py --county
    DATABASE_URL=…/scale_province .venv/bin/python bench/export_compare.py --all --repeat 2 [--profile export]

The raw baseline is `bench.dataset.raw_openpyxl_seconds` on the rows `bench.dataset.roster_sheet_rows` read (the
export's own rows, read, decrypted, masked and formatted, held in memory): the same measure `make bench` uses. The
export is `groups.roster.exporting.roster_write` into a temporary file, as the job writes it. Each repeat runs the
raw baseline, then the export; the best of each is kept. The export's peak memory is measured in a fresh process
(`--memory`) that only runs the export once: its peak resident set (VmHWM) with Django loaded. Reads only.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("Set DATABASE_URL to a database seeded with seed_scale.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DEBUG"] = "True"  # the development keys seed_scale encrypted with, where none are configured
    import django

    django.setup()


def villages(scope: str):
    from township.models import County, Village

    if scope == "all":
        return Village.objects.all()
    return Village.objects.filter(township__county=County.objects.order_by("pk").first())


def export_seconds(vs) -> tuple[float, int]:
    return export_times(vs)[0], export_times.rows


def export_times(vs) -> tuple[float, float]:
    """The export's wall-clock seconds and this process's CPU seconds (the database's work is not in the latter)."""
    from groups.roster.exporting import roster_write

    with tempfile.TemporaryFile() as handle:
        started, cpu = time.perf_counter(), time.process_time()
        export_times.rows = roster_write(vs, handle, title="性能")
        return time.perf_counter() - started, time.process_time() - cpu


def raw_times(rows) -> tuple[float, float]:
    from bench import dataset

    cpu = time.process_time()
    seconds = dataset.raw_openpyxl_seconds(rows)
    return seconds, time.process_time() - cpu


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="every village (the province roster); default: a county")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", choices=["export", "raw", "read"], help="cProfile one run of this part")
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup()
    scope = "all" if args.all else "county"
    vs = villages(scope)
    if args.memory_only:
        from django.db import connection

        connection.ensure_connection()
        base = peak_mb()
        seconds, rows = export_seconds(vs)
        print(f"{base} {peak_mb()} {seconds:.3f} {rows}")
        return

    from bench import dataset

    if args.profile:
        profiler = cProfile.Profile()
        if args.profile == "read":
            profiler.runcall(dataset.roster_sheet_rows, vs)
        elif args.profile == "export":
            profiler.runcall(export_seconds, vs)
        else:
            rows = dataset.roster_sheet_rows(vs)
            profiler.runcall(dataset.raw_openpyxl_seconds, rows)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        return

    load = os.getloadavg()[0]
    started = time.perf_counter()
    rows = dataset.roster_sheet_rows(vs)
    read = time.perf_counter() - started
    raws, exports, raw_cpu, export_cpu = [], [], [], []
    for _ in range(args.repeat):
        seconds, cpu = raw_times(rows)
        raws.append(seconds)
        raw_cpu.append(cpu)
        seconds, cpu = export_times(vs)
        exports.append(seconds)
        export_cpu.append(cpu)
    count = export_times.rows
    del rows
    child = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--memory-only", *(["--all"] if args.all else [])],
        capture_output=True,
        text=True,
        check=True,
        env=os.environ,
    )
    base, peak, _s, _n = child.stdout.split()
    print(
        f"{scope}: {count} rows · read+format for the baseline {read:.2f} s · raw openpyxl best {min(raws):.2f} s "
        f"({', '.join(f'{s:.2f}' for s in raws)}) · export best {min(exports):.2f} s "
        f"({', '.join(f'{s:.2f}' for s in exports)}) · export vs raw {min(raws) / min(exports):.2f} · "
        f"CPU seconds (this process): raw {min(raw_cpu):.2f}, export {min(export_cpu):.2f}, "
        f"{min(raw_cpu) / min(export_cpu):.2f} · "
        f"export process peak {peak} MB (Django loaded, before the export: {base} MB) · "
        f"load average {load:.2f} → {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
