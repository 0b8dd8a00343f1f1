"""manage.py seed_demo [--password P] [--if-empty]: the surveyed township and its neighbour as demo data."""

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

    def handle(self, *args, password=None, if_empty=False, **options):
        translation.activate("zh-hans")
        if if_empty and Township.objects.exists() and not Township.objects.filter(name=demo.SURVEYED).exists():
            self.stdout.write("The database already holds other data; demo data not loaded.")
            return
        built = demo.build()
        fill_national_record(demo.SURVEYED)
        self.stdout.write("Demo data built." if built else "Demo data already present; nothing rebuilt.")
        password = password or os.environ.get("DEMO_PASSWORD") or f"Demo-{secrets.token_urlsafe(8)}"
        rows = demo.ensure_accounts(password)
        demo.build_activity()
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for each: {password})")
        for username, name, role in rows:
            self.stdout.write(f"  {username:<10} {name}  {role}")
        self.stdout.write("")
        self.stdout.write("Open http://127.0.0.1:8000/ and log in.")
