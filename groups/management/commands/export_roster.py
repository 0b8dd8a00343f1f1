"""manage.py export_roster (--township 金溪乡 [--county 嘉陵县] | --county 嘉陵县 | --all) roster.xlsx"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from audit.events import Action, record
from core.tempfiles import in_app_temp_dir
from groups.roster.exporting import roster_write
from township.models import County, Township, Village


class Command(BaseCommand):
    help = (
        "Write the party-member roster of a township, a county or every township to an .xlsx file (the same "
        "workbook as the download: current members, ID and phone numbers masked)."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", help="The .xlsx file to write.")
        parser.add_argument("--township", help="A township's name, e.g. 金溪乡.")
        parser.add_argument("--county", help="A county's name; with --township, the county the township is in.")
        parser.add_argument("--all", dest="everything", action="store_true", help="Every township of every county.")

    def handle(self, *args, output: str, township: str | None, county: str | None, everything: bool, **options):
        villages, scope = self._scope(township=township, county=county, everything=everything)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        # A command has no request to take a language from: the roster is written in the site's language.
        # The rows read and the EXPORT event recorded in one transaction: an export is never without its event.
        with translation.override(settings.LANGUAGE_CODE), in_app_temp_dir(), transaction.atomic():
            with path.open("wb") as stream:
                rows = roster_write(villages, stream, title=scope)
            record(Action.EXPORT, username="manage.py export_roster", rows=rows, export="member_roster", scope=scope)
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows} members of {scope} to {path}"))

    def _scope(self, *, township: str | None, county: str | None, everything: bool):
        if everything == bool(township or county):
            raise CommandError("Name a --township (with --county where two share a name), a --county, or --all.")
        if everything:
            return Village.objects.all(), "全部乡镇"
        if township:
            return Village.objects.filter(township=self._township(township, county)), township
        found = County.objects.filter(name=county).first()
        if found is None:
            raise CommandError(f"No county named {county!r}.")
        return Village.objects.filter(township__county=found), county

    def _township(self, name: str, county: str | None) -> Township:
        townships = Township.objects.filter(name=name).select_related("county")
        if county:
            townships = townships.filter(county__name=county)
        found = list(townships)
        if not found:
            where = f" in county {county}" if county else ""
            raise CommandError(f"No township named {name!r}{where}.")
        if len(found) > 1:
            counties = ", ".join(sorted(t.county.name for t in found))
            raise CommandError(f"{len(found)} townships are named {name!r} (counties: {counties}); add --county.")
        return found[0]
