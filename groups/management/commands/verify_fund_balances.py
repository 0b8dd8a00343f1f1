"""`manage.py verify_fund_balances`: compare every villager group's stored fund balance with the sum of its entries.

The database keeps the two equal (groups/ledger/guards.py); run this after a restore, before an audit, or from cron
to prove it. Prints each villager group whose balance differs and exits with status 1 if any does.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import DecimalField, Value
from django.db.models.functions import Coalesce

from groups.ledger.services import ZERO, with_balances, yuan_text
from groups.models import VillagerGroup


class Command(BaseCommand):
    help = "Check that every villager group's stored fund balance equals the sum of its ledger entries."

    def handle(self, **options):
        checked, wrong = 0, []
        rows = (
            with_balances(VillagerGroup.objects.order_by("pk"))
            .annotate(entries_sum=Coalesce("balance", Value(ZERO), output_field=DecimalField()))
            .values_list("pk", "village__name", "name", "fund_balance", "entries_sum")
        )
        for pk, village, name, stored, summed in rows.iterator(chunk_size=2000):
            checked += 1
            if stored.quantize(ZERO) != summed.quantize(ZERO):
                wrong.append(f"{village}{name} (id {pk}): stored {yuan_text(stored)}, entries {yuan_text(summed)}")
        for line in wrong:
            self.stderr.write(line)
        if wrong:
            raise CommandError(f"{len(wrong)} of {checked} villager groups' fund balances differ from their entries.")
        self.stdout.write(f"All {checked} villager groups' fund balances equal the sum of their entries.")
