"""manage.py export_award_report --township 金溪乡 --year 2025 --output 金溪乡2025年度表彰奖励名单.xlsx"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from appraisal.exports.award_report import award_report_workbook, report_for, report_rows
from appraisal.models import AppraisalYear
from audit.events import Action, record
from township.models import Township


class Command(BaseCommand):
    help = "Write a township's year-end award report (the same workbook as the download) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--township", required=True, help="The township's name, e.g. 金溪乡.")
        parser.add_argument("--year", required=True, type=int, help="The appraisal year, e.g. 2025.")
        parser.add_argument("--output", required=True, help="The .xlsx file to write.")
        parser.add_argument("--county", help="The county's name, where two counties have a township of that name.")

    def handle(self, *args, township: str, year: int, output: str, county: str | None = None, **options):
        townships = Township.objects.filter(name=township).select_related("county")
        if county:
            townships = townships.filter(county__name=county)
        found = list(townships)
        if not found:
            where = f" in county {county}" if county else ""
            raise CommandError(f"No township named {township!r}{where}.")
        if len(found) > 1:
            counties = ", ".join(sorted(t.county.name for t in found))
            raise CommandError(f"{len(found)} townships are named {township!r} (counties: {counties}); add --county.")
        place = found[0]
        try:
            appraisal_year = AppraisalYear.objects.select_related("township").get(township=place, year=year)
        except AppraisalYear.DoesNotExist:
            years = ", ".join(str(y) for y in place.appraisal_years.values_list("year", flat=True)) or "none"
            raise CommandError(f"{township} has no appraisal year {year} (years on record: {years}).") from None
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"The folder {path.parent} does not exist.")
        # A command has no request to take a language from: the report is written in the site's language.
        report = report_for(appraisal_year)
        with translation.override(settings.LANGUAGE_CODE), path.open("wb") as stream:
            award_report_workbook(appraisal_year, stream, report=report)
        record(Action.EXPORT, obj=appraisal_year, rows=report_rows(report), export="award_report", file=str(path))
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}"))
