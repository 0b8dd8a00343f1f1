"""manage.py backup [--dir DIR]: a consistent copy of the database in BACKUP_DIR (see township/backups.py)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database: pg_dump -Fc on PostgreSQL, SQLite's backup API on SQLite."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir", dest="directory", type=Path, default=None, help="where to write it (default: BACKUP_DIR)"
        )
        parser.add_argument("--database", default="default", help="the database alias (default: default)")

    def handle(self, *args, directory=None, database="default", **options):
        try:
            path = backup(directory=directory or Path(settings.BACKUP_DIR), alias=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written: {path} ({path.stat().st_size:,} bytes)")
        self.stdout.write("Keep FIELD_ENCRYPTION_KEYS and FIELD_HASH_KEY safe, apart from it: without them the")
        self.stdout.write("ID and phone numbers in the backup cannot be read.")
