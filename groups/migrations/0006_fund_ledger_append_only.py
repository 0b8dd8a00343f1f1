"""The fund ledger becomes append-only in the database: triggers refuse UPDATE and DELETE of fund entries and their
history rows, on SQLite and PostgreSQL (see groups/append_only.py; other databases are left as they are)."""

from django.db import migrations

from groups.ledger import append_only


def forwards(apps, schema_editor):
    append_only.install(schema_editor.connection)


def backwards(apps, schema_editor):
    append_only.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("groups", "0005_history_address"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
