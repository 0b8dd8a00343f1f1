"""The covering index of migration 0007 is now declared in FundEntry's Meta (Django's `Index(include=…)`), so it
lives in the model state like every other index.

A database migrated before this already has the index on PostgreSQL (0007 made it with SQL): it is kept as it is,
not dropped and rebuilt (a rebuild reads the whole ledger). Only where it is missing (SQLite, where 0007 made
nothing; or a PostgreSQL database where someone dropped it) or differs is it made from the model.
"""

from django.db import migrations, models


class AddIndexUnlessPresent(migrations.AddIndex):
    """AddIndex that leaves alone an index already in the database under this name on the same columns."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        connection = schema_editor.connection
        if not self.allow_migrate_model(connection.alias, model):
            return
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table).get(self.index.name)
        key = [model._meta.get_field(name).column for name in self.index.fields]
        include = [model._meta.get_field(name).column for name in self.index.include]
        # Introspection lists an index's INCLUDE columns after its key columns.
        wanted = key + (include if connection.features.supports_covering_indexes else [])
        if found and found["index"] and not found["unique"] and found["columns"] == wanted:
            return
        if found:
            schema_editor.remove_index(model, self.index)
        super().database_forwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0008_villager_group_fund_balance"),
    ]

    operations = [
        AddIndexUnlessPresent(
            model_name="fundentry",
            index=models.Index(
                fields=["villager_group", "entry_date"],
                include=["direction", "amount"],
                name="fund_entry_balance_cover_idx",
            ),
        ),
    ]
