"""The pattern-matching (`…_like`) indexes of the members' lookup hashes dropped: a hash is looked up whole, never with
LIKE, and `core.fields.LookupHashField` no longer asks for them (on PostgreSQL; no other database has them)."""

from django.db import migrations

from core.fields import LookupHashField


def _like_indexes(apps, schema_editor):
    """(table, column, index name) of each indexed lookup hash of the app (the members' and their history's)."""
    for model in apps.get_app_config("members").get_models():
        for field in model._meta.local_concrete_fields:
            if isinstance(field, LookupHashField) and (field.db_index or field.unique):
                table = model._meta.db_table
                yield table, field.column, schema_editor._create_index_name(table, [field.column], suffix="_like")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, _column, name in _like_indexes(apps, schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


def make_again(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column, name in _like_indexes(apps, schema_editor):
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON {schema_editor.quote_name(table)} "
            f"({schema_editor.quote_name(column)} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_indexes_a_wider_one_serves"),
    ]

    operations = [migrations.RunPython(drop, make_again, elidable=True)]
