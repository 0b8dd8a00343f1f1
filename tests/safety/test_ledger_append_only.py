"""The fund ledger is append-only in the database: whatever sends an UPDATE or DELETE of a posted entry (raw SQL,
the ORM, a console) is refused by a trigger, on SQLite and on PostgreSQL. Posting and reversing still work, and
`manage.py flush` (wiping the whole database on purpose, also how committing tests clean up) still empties it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import PROTECT, F, ProtectedError

from groups.ledger import append_only
from groups.ledger.services import balance, fund_entry_reverse
from groups.models import FundEntry
from tests.groups.test_ledger import post

HistoricalFundEntry = FundEntry.history.model


@pytest.fixture
def entry(org, township_staff):
    return post(org.a1_vgs[0], "500.00", user=township_staff)


def refused(statement) -> bool:
    """Run `statement` in a savepoint; True when the database refused it as an integrity violation."""
    try:
        with transaction.atomic():
            statement()
    except IntegrityError as exc:
        assert "append-only" in str(exc)
        return True
    return False


def raw(sql: str, *params):
    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    return run


def test_a_raw_update_of_an_entry_is_refused(entry):
    assert refused(raw("UPDATE groups_fundentry SET amount = 1 WHERE id = %s", entry.pk))
    assert refused(raw("UPDATE groups_fundentry SET purpose = 'x'"))
    entry.refresh_from_db()
    assert entry.amount == Decimal("500.00")


def test_a_raw_delete_of_an_entry_is_refused(entry):
    assert refused(raw("DELETE FROM groups_fundentry WHERE id = %s", entry.pk))
    assert refused(raw("DELETE FROM groups_fundentry"))
    assert FundEntry.objects.filter(pk=entry.pk).exists()


def test_orm_updates_and_deletes_are_refused(entry):
    assert refused(lambda: FundEntry.objects.filter(pk=entry.pk).update(amount=F("amount") * 2))
    assert refused(lambda: FundEntry.objects.filter(pk=entry.pk).delete())
    assert refused(entry.delete)
    entry.amount = Decimal("1.00")
    assert refused(entry.save)
    assert balance(entry.villager_group) == Decimal("500.00")


def test_the_entries_history_cannot_be_rewritten_or_removed(entry):
    row = HistoricalFundEntry.objects.get(id=entry.pk)
    assert refused(lambda: HistoricalFundEntry.objects.filter(pk=row.pk).update(amount=Decimal("1.00")))
    assert refused(lambda: HistoricalFundEntry.objects.filter(pk=row.pk).update(history_user=None, purpose="x"))
    assert refused(lambda: HistoricalFundEntry.objects.filter(pk=row.pk).delete())
    assert HistoricalFundEntry.objects.get(pk=row.pk).amount == Decimal("500.00")


def test_the_history_user_may_still_be_cleared_as_its_foreign_key_says(entry):
    """history_user is SET_NULL: deleting an account must stay possible without touching what was recorded."""
    row = HistoricalFundEntry.objects.get(id=entry.pk)
    assert not refused(lambda: HistoricalFundEntry.objects.filter(pk=row.pk).update(history_user=None))


def test_deleting_a_villager_group_with_entries_is_refused_and_removes_nothing(entry):
    """Every foreign key of an entry is PROTECT: no cascade can take the ledger with it."""
    with pytest.raises(ProtectedError):
        entry.villager_group.delete()
    with pytest.raises(ProtectedError):
        entry.recorded_by.delete()
    assert FundEntry.objects.filter(pk=entry.pk).exists()
    assert {f.remote_field.on_delete for f in FundEntry._meta.fields if f.is_relation} == {PROTECT}


def test_posting_and_reversing_still_work(entry, township_staff):
    next_day = entry.entry_date + datetime.timedelta(days=1)
    reversal = fund_entry_reverse(entry=entry, entry_date=next_day, reason="重复记账", acting_user=township_staff)
    assert reversal.reverses_id == entry.pk
    assert balance(entry.villager_group) == Decimal("0.00")
    assert FundEntry.objects.count() == 2


def test_installing_again_after_a_migration_keeps_one_guard(entry):
    """post_migrate re-installs the triggers (a SQLite table rebuild drops them); doing so twice is harmless."""
    append_only.uninstall(connection)
    assert not refused(raw("UPDATE groups_fundentry SET purpose = purpose WHERE id = %s", entry.pk))
    append_only.reinstall_after_migrate(sender=None, using=connection.alias)
    append_only.install(connection)
    assert refused(raw("UPDATE groups_fundentry SET purpose = purpose WHERE id = %s", entry.pk))


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_the_database_and_the_guard_comes_back(org, township_staff):
    post(org.a1_vgs[0], "500.00", user=township_staff)
    call_command("flush", interactive=False, verbosity=0)
    assert FundEntry.objects.count() == 0
    assert HistoricalFundEntry.objects.count() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM groups_fundentry")
        assert cursor.fetchone()[0] == 0
    names = {"sqlite": "groups_fundentry_no_delete", "postgresql": "groups_fundentry_append_only"}
    assert names[connection.vendor] in trigger_names()


def trigger_names() -> set[str]:
    sql = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        "postgresql": "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return {row[0] for row in cursor.fetchall()}
