"""manage.py restore FILE [--no-input]: replace the database with a backup (see township/backups.py).

The database as it is now is backed up first, so a restore of the wrong file can itself be undone.
Stop the app servers before restoring.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from core.backups import BackupError, backup, check_file, restore, tables_in


class Command(BaseCommand):
    help = "Replace the database with a backup made by `manage.py backup` (the current state is backed up first)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the backup file (.dump for PostgreSQL, .sqlite3 for SQLite)")
        parser.add_argument("--no-input", action="store_false", dest="interactive", help="do not ask to confirm")
        parser.add_argument("--database", default="default", help="the database alias (default: default)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="the database is not empty: empty it first (it is backed up before); without this a database "
            "holding any table is refused",
        )

    def handle(self, *args, file, interactive=True, database="default", replace=False, **options):
        name = connections[database].settings_dict["NAME"]
        try:
            check_file(file, alias=database)
            present = tables_in(database)
            if present and not replace:
                raise BackupError(
                    f"The database {name} is not empty ({len(present)} tables): nothing restored. Restore into an "
                    "empty database, or give --replace to empty it first (it is backed up before)."
                )
            if interactive:
                answer = input(f"Replace everything in the database {name} with {file}? Type 'yes' to go on: ")
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing restored.")
            before = backup(directory=Path(settings.BACKUP_DIR), alias=database)
            self.stdout.write(f"The database as it was is backed up in {before}")
            restore(file, alias=database, replace=replace)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {name} from {file}.")
