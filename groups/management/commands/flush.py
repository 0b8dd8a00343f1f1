"""`manage.py flush`, able to empty the append-only fund ledger on SQLite.

Django's flush empties SQLite tables with DELETE, which the ledger's triggers refuse (see groups/append_only.py);
wiping the whole database on purpose is the one mass delete allowed, so the triggers are lifted for it and put back.
Test cases that commit (pytest's `transactional_db`, the live server) end with a flush too.
"""

from contextlib import ExitStack

from django.core.management.commands import flush
from django.db import connections

from groups.ledger.append_only import OTHER_GUARDS, lifted


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with ExitStack() as stack:
            for guard in (lifted, *OTHER_GUARDS):
                stack.enter_context(guard(connection))
            return super().handle(**options)
