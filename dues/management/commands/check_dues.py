"""`manage.py check_dues [--township NAME]`: the dues books agree with themselves to the fen — each branch's stored
balance equals its receipts less its remittances, and each remittance equals what the branch took in during its
period. Prints the totals per township and exits non-zero on any disagreement (for cron and CI)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from dues.models import Line, Remittance
from dues.selectors import cents, check, yuan
from township.models import Township, Village


class Command(BaseCommand):
    help = "Check that every branch's dues book, its payments and its remittances agree to the fen."

    def add_arguments(self, parser):
        parser.add_argument("--township", help="only this township (its name)")

    def handle(self, *args, **options):
        townships = Township.objects.order_by("name")
        if options["township"]:
            townships = townships.filter(name=options["township"])
            if not townships.exists():
                raise CommandError(f"没有名为“{options['township']}”的乡镇。")
        problems = []
        for t in townships:
            villages = list(Village.objects.filter(township=t).order_by("name"))
            found = check(villages)
            problems += [f"{t.name} {p}" for p in found]
            collected = cents(Line.objects.filter(village__township=t).aggregate(s=Sum("amount"))["s"])
            remitted = cents(Remittance.objects.filter(village__township=t).aggregate(s=Sum("amount"))["s"])
            self.stdout.write(
                f"{t.name}：收缴 {yuan(collected)} 元，上缴 {yuan(remitted)} 元，"
                f"待上缴 {yuan(collected - remitted)} 元 — {'有出入' if found else '相符'}"
            )
        for p in problems:
            self.stderr.write(p)
        if problems:
            raise CommandError(f"党费账有 {len(problems)} 处不相符。")
        self.stdout.write("党费账、收缴和上缴逐分相符。")
