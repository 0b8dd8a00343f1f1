"""manage.py seed_scale --townships N --years Y [--seed S] [--preset county|province]: synthetic data for measuring."""

import datetime
import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core import clock
from seeding.scale import PRESETS, NotEmpty, seed_scale


class Command(BaseCommand):
    help = (
        "Generate townships shaped like the surveyed one (9 villages, 36 party groups, 250 members each) with years "
        "of reports, concerns, ledgers, appraisals, standing, members away and party dues, and their accounts (c001, "
        "t0001, t0001v01…), in bulk. "
        "Presets: county = 20 townships × 5 years; province = 400 × 5."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--preset", choices=sorted(PRESETS), help="county (20 townships, 5 years) or province (400)"
        )
        parser.add_argument("--townships", type=int, help="how many townships (20 to a county)")
        parser.add_argument("--years", type=int, help="years of monthly records, ending this month")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed gives the same data")
        parser.add_argument("--password", help="password of every generated account (default: $DEMO_PASSWORD)")
        parser.add_argument(
            "--append", action="store_true", help="add to a database that already has townships (numbering goes on)"
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="PostgreSQL: keep every index up to date while writing, instead of dropping the biggest tables' "
            "secondary indexes and building them at the end (for comparing the two)",
        )
        parser.add_argument("--today", type=datetime.date.fromisoformat, help="pretend today is this day (YYYY-MM-DD)")
        parser.add_argument(
            "--processes",
            type=int,
            help="PostgreSQL: processes generating the counties side by side (default: one per CPU; 1: all in this "
            "one). The data is the same whatever the number.",
        )

    def handle(self, *args, preset=None, townships=None, years=None, seed=1, password=None, append=False,
               today=None, keep_indexes=False, processes=None, **options):  # fmt: skip
        translation.activate("zh-hans")
        if preset:
            townships = townships or PRESETS[preset][0]
            years = years or PRESETS[preset][1]
        if not townships or not years or townships < 1 or years < 1:
            raise CommandError("Give --preset, or --townships N and --years Y (both at least 1).")
        password = password or os.environ.get("DEMO_PASSWORD")
        if not password:
            raise CommandError("Give --password P or set DEMO_PASSWORD: every generated account gets that password.")
        if today and today > clock.today():
            raise CommandError("--today cannot be in the future.")
        if processes is not None and processes < 1:
            raise CommandError("--processes must be at least 1.")
        self.stdout.write(f"Generating {townships} townships × {years} years (seed {seed})…")
        try:
            result = seed_scale(
                townships=townships, years=years, password=password, seed=seed, append=append, today=today,
                keep_indexes=keep_indexes, processes=processes, log=self.stdout.write,
            )  # fmt: skip
        except NotEmpty as exc:
            raise CommandError(
                f"{exc} Use an empty database (drop and migrate it), or --append to add to it."
            ) from None
        self._report(result)

    def _report(self, result) -> None:
        self.stdout.write("")
        self.stdout.write("Seconds per stage (each generation stage without its waits for the database, listed apart):")
        if result.processes > 1:
            self.stdout.write(
                f"  (the counties generated in {result.processes} processes side by side: a generation stage's "
                "seconds are summed over them, each process sharing the CPUs with the others and the database)"
            )
        for name, seconds in sorted(result.stages.items(), key=lambda kv: -kv[1]):
            self.stdout.write(f"  {name:<32} {seconds:8.1f}")
        self.stdout.write(f"  {'total (wall clock)':<32} {result.seconds:8.1f}")
        self.stdout.write("")
        self.stdout.write("Rows written (and seconds writing them):")
        for table, (rows, seconds) in result.rows.items():
            self.stdout.write(f"  {table:<40} {rows:>10,} {seconds:8.1f}")
        for note in result.notes:
            self.stdout.write(note)
        first, last = result.first_township, result.first_township + result.townships - 1
        self.stdout.write("")
        self.stdout.write(
            f"Accounts: t{first:04d}…t{last:04d} (township staff), t{first:04d}v01… (branch secretaries), "
            f"c{result.first_county:03d}… (county viewers, one per 20 townships); the password given."
        )
