"""Migration operations of the project's own."""

from __future__ import annotations

from django.db import migrations
from django.db.models import Index


class ForeignKeyIndexDropped(migrations.AlterField):
    """A foreign key's own index dropped (`db_index=True` → `False`) because a wider index (a unique constraint or a
    declared index beginning with the same column) already serves its look-ups
    (`tests/perf/test_no_redundant_indexes.py`).

    The state changes as with AlterField; in the database only that index is dropped (made again going backwards), on
    every database. Django's AlterField would rebuild the whole table on SQLite, which the triggers there (the
    villages' change counts, the append-only ledgers) refuse, and which copies every row for nothing."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        before = from_state.apps.get_model(app_label, self.model_name)
        after = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, after):
            return
        old, new = before._meta.get_field(self.name), after._meta.get_field(self.name)
        if old.db_index and not new.db_index:
            # Django's own index for the field: not a declared index or constraint on the same column (a partial
            # unique index such as one active leader per group is an index too, and must stay)
            declared = {index.name for index in before._meta.indexes} | {c.name for c in before._meta.constraints}
            for name in schema_editor._constraint_names(
                before, [old.column], index=True, unique=False, type_=Index.suffix, exclude=declared
            ):
                schema_editor.execute(schema_editor._delete_index_sql(before, name))
        elif new.db_index and not old.db_index:
            schema_editor.execute(schema_editor._create_index_sql(after, fields=[new]))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self.database_forwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return f"Drop the index of {self.model_name}.{self.name} (a wider index serves it)"
