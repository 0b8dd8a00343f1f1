"""What the database itself holds about the fund ledger on PostgreSQL, kept in migrations by django-pgtrigger.

- `groups_fundentry` refuses TRUNCATE (its UPDATE and DELETE are refused by `append_only`, on SQLite too), and the app's
  own database role is granted neither (`core.database_role`): the app role cannot empty, edit or delete the ledger,
  nor disable these triggers, which only the tables' owner may do.
- Each villager group's stored balance (`VillagerGroup.fund_balance`) equals the sum of its entries: posting entries
  adds them to the balance in the same statement (`carry_to_balance`, one UPDATE per statement from its transition
  table, so a bulk COPY stays fast), and any other change of the balance, or a new villager group with a balance, is
  refused unless the new value is exactly that sum (`balance_is_sum_of_entries`). `manage.py verify_fund_balances`
  checks every balance (after a restore, for an audit).

SQLite has the same rules as plain triggers (`append_only.install`); TRUNCATE does not exist there.
"""

from __future__ import annotations

import pgtrigger

MESSAGE_TRUNCATE = "fund ledger entries are append-only: TRUNCATE of %s refused"
MESSAGE_BALANCE = "the stored fund balance of villager group %s must equal the sum of its entries (%s, not %s)"

# The signed sum of a villager group's entries, as SQL (also used by the SQLite triggers and the check command).
SIGNED = "CASE WHEN direction = 'income' THEN amount ELSE -amount END"
SUM_OF_ENTRIES = f"(SELECT COALESCE(SUM({SIGNED}), 0) FROM groups_fundentry WHERE villager_group_id = NEW.id)"  # noqa: S608

refuse_truncate = pgtrigger.Trigger(
    name="fund_entry_no_truncate",
    level=pgtrigger.Statement,
    when=pgtrigger.Before,
    operation=pgtrigger.Truncate,
    func=f"""
        RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation',
            MESSAGE = format('{MESSAGE_TRUNCATE}', TG_TABLE_NAME);
        RETURN NULL;
    """,
)

carry_to_balance = pgtrigger.Trigger(
    name="fund_entry_carry_to_balance",
    level=pgtrigger.Statement,
    when=pgtrigger.After,
    operation=pgtrigger.Insert,
    referencing=pgtrigger.Referencing(new="added"),
    func=f"""
        UPDATE groups_villagergroup AS vg SET fund_balance = vg.fund_balance + added.total
        FROM (SELECT villager_group_id, SUM({SIGNED}) AS total FROM added GROUP BY villager_group_id) AS added
        WHERE vg.id = added.villager_group_id;
        RETURN NULL;
    """,  # noqa: S608 (fixed SQL, no input)
)

_CHECK = f"""
    expected := {SUM_OF_ENTRIES};
    IF NEW.fund_balance IS DISTINCT FROM expected THEN
        RAISE EXCEPTION USING ERRCODE = 'check_violation',
            MESSAGE = format('{MESSAGE_BALANCE}', NEW.id, expected, NEW.fund_balance);
    END IF;
    RETURN NEW;
"""

balance_is_sum_of_entries = pgtrigger.Trigger(
    name="villager_group_balance_is_sum",
    level=pgtrigger.Row,
    when=pgtrigger.Before,
    operation=pgtrigger.Insert | pgtrigger.UpdateOf("fund_balance"),
    declare=[("expected", "numeric")],
    func=_CHECK,
)

# Trigger functions that must run as the tables' owner (SECURITY DEFINER, set by `core.database_role.grant`): the app
# role may not write a balance itself, so the posting trigger writes it on the owner's rights.
DEFINER_TRIGGERS = [carry_to_balance]


def grant_app_role_after_migrate(sender, using, **kwargs) -> None:
    """post_migrate (run as the owner): give the app's role (settings.DATABASE_APP_ROLE) its rights, the ledger
    append-only and the balances kept by the database."""
    from django.conf import settings
    from django.db import connections

    connection = connections[using]
    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if connection.vendor != "postgresql" or not role or role == connection.settings_dict.get("USER"):
        return
    grant_app_role(connection, role)


def grant_app_role(connection, role: str) -> list[str]:
    from core import database_role
    from groups.models import FundEntry, VillagerGroup

    return database_role.grant(
        connection,
        role,
        append_only=[FundEntry._meta.db_table, FundEntry.history.model._meta.db_table],
        kept_columns={VillagerGroup._meta.db_table: ["fund_balance"]},
        definer_functions=[t.get_pgid(FundEntry) for t in DEFINER_TRIGGERS],
    )
