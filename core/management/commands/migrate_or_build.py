"""manage.py migrate_or_build: `migrate`, except that an empty SQLite database gets its tables straight from the models.

`make run` on a fresh clone starts from no database. Applying the ~90 migrations one by one costs a minute on this
machine, nearly all of it Django re-rendering the migration state of the densely related models after each
operation, not SQL. For an empty SQLite database the result is the same schema as building every table from the
current models in one pass, which is what Django's test runner does when a database's TEST MIGRATE is False: this
command does that, records every migration as applied (so the next `migrate` after a `git pull` applies only the new
ones on top), and sends pre_migrate and post_migrate as `migrate` does, whose receivers put back what the migrations'
RunPython steps would have left (the ledger's and the dues book's append-only triggers, the 2008 dues rates). The
other data steps move rows that an empty database does not have; the covering indexes added by RunPython are
PostgreSQL's only. tests/deploy/test_migrate_or_build.py compares the two schemas table by table.

Any other case (PostgreSQL, a database that has tables) is plain `migrate`.
"""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.migrations.state import ProjectState


class Command(BaseCommand):
    help = "Apply migrations; an empty SQLite database gets its tables from the models in one pass (same schema)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database=DEFAULT_DB_ALIAS, verbosity=1, **options):
        connection = connections[database]
        if connection.vendor != "sqlite" or connection.introspection.table_names():
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
            return
        if verbosity:
            self.stdout.write("Empty SQLite database: building the tables from the models, every migration recorded.")
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        emit_pre_migrate_signal(verbosity, False, database, apps=ProjectState().apps, plan=plan)
        with connection.schema_editor() as editor:
            for app_config in apps.get_app_configs():
                if app_config.models_module is None:
                    continue
                for model in router.get_migratable_models(app_config, database, include_auto_created=False):
                    if model._meta.can_migrate(connection):
                        editor.create_model(model)
        recorder = MigrationRecorder(connection)
        recorder.ensure_schema()
        applied = set()
        for migration, _backwards in plan:
            applied.add((migration.app_label, migration.name))
            applied.update(migration.replaces)
        recorder.Migration.objects.using(database).bulk_create(
            [recorder.Migration(app=app, name=name) for app, name in sorted(applied)]
        )
        emit_post_migrate_signal(verbosity, False, database, apps=apps, plan=plan)
