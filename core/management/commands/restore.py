"""manage.py restore FILE [--no-input]: replace the database with a backup (see township/backups.py).

The database as it is now is backed up first, so a restore of the wrong file can itself be undone.
Stop the app servers before restoring.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.backups import BackupError, backup, check_file, restore


class Command(BaseCommand):
    help = "Replace the database with a backup made by `manage.py backup` (the current state is backed up first)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup file (.dump for PostgreSQL, .sqlite3 for SQLite)")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="do not ask to confirm")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, file, interactive=True, database="default", **options):
        name = connections[database].settings_dict["NAME"]
        try:
            check_file(file, alias=database)
            if interactive:
                answer = input(f"Replace everything in the database {name} with {file}? Type 'yes' to go on: ")
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing restored.")
            before = backup(directory=Path(settings.BACKUP_DIR), alias=database)
            self.stdout.write(f"The database as it was is backed up in {before}")
            restore(file, alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {name} from {file}.")
