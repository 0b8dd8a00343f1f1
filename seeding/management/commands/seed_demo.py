"""manage.py seed_demo [--password P] [--if-empty] [--without-activity | --activity-only]: the surveyed township
and its neighbour as demo data.

The whole demo takes about a minute here, four fifths of it the months of activity (reports, ledgers, concerns,
appraisals, dues, meetings), each made through its room's services as a person would. `make run` splits it: the
township, its members and the accounts first (`--without-activity`), then the server starts while the activity is
made beside it (`--activity-only`), so a newcomer can log in within seconds and sees the months fill in."""

import os
import secrets

from django.core.management.base import BaseCommand
from django.utils import translation

from seeding.demo import build as demo
from seeding.demo.national import fill_national_record
from township.models import Township


class Command(BaseCommand):
    help = "Build the demo county (金溪乡 as surveyed, and 双河乡) and the demo accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="password for every demo account (default: $DEMO_PASSWORD or random)")
        parser.add_argument("--if-empty", action="store_true", help="build the data only when no township exists yet")
        parts = parser.add_mutually_exclusive_group()
        parts.add_argument(
            "--without-activity", action="store_true", help="townships, members and accounts only (make run)"
        )
        parts.add_argument(
            "--activity-only", action="store_true", help="only the months of activity, where they are missing"
        )

    def handle(self, *args, password=None, if_empty=False, without_activity=False, activity_only=False, **options):
        translation.activate("zh-hans")
        if if_empty and Township.objects.exists() and not Township.objects.filter(name=demo.SURVEYED).exists():
            self.stdout.write("The database already holds other data; demo data not loaded.")
            return
        if activity_only:
            if not Township.objects.filter(name=demo.SURVEYED).exists():
                self.stdout.write("No demo township yet: run seed_demo first; no activity built.")
                return
            demo.build_activity(beside_the_server=True)
            self.stdout.write("Demo activity built (reports, ledgers, concerns, appraisals, dues, meetings).")
            return
        built = demo.build()
        fill_national_record(demo.SURVEYED)
        self.stdout.write("Demo data built." if built else "Demo data already present; nothing rebuilt.")
        password = password or os.environ.get("DEMO_PASSWORD") or f"Demo-{secrets.token_urlsafe(8)}"
        rows = demo.ensure_accounts(password)
        if not without_activity:
            demo.build_activity()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for each: {password})")
        for username, name, role in rows:
            self.stdout.write(f"  {username:<10} {name}  {role}")
        self.stdout.write("")
        self.stdout.write("Open the address the server gives (make run: http://127.0.0.1:8000/) and log in.")
