"""Finding 10: the app's database role cannot corrupt the ledger (等保 2.0 8.1.4.7 integrity; ASVS V4 least privilege).

The app connects as a role that owns no table (DATABASE_URL); the owner (MIGRATE_DATABASE_URL) runs the migrations and
grants the app role its rights after each (core/database_role.py, groups/ledger/guards.py). Whoever connects, each
villager group's stored fund balance is the sum of its entries: postings move it in the same statement and any other
value is refused; `manage.py verify_fund_balances` proves every balance.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from core.database_role import owner_command
from groups.ledger import append_only, guards
from groups.ledger.services import balance, fund_entry_post, fund_entry_reverse
from groups.models import FundEntry, VillagerGroup

DAY = datetime.date(2025, 3, 1)
POSTGRES = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL roles")


def post(vg, amount, direction=FundEntry.Direction.INCOME):
    return fund_entry_post(
        villager_group=vg,
        entry_date=DAY,
        direction=direction,
        amount=Decimal(amount),
        category=FundEntry.Category.SUBSIDY if direction == FundEntry.Direction.INCOME else FundEntry.Category.OTHER,
        purpose="测试",
        acting_user=None,
    )


# --- the balance is the sum of the entries, whoever writes (both databases) -----------------------------------------


def test_a_balance_set_directly_is_refused_and_postings_move_it(org):
    vg = org.a1_vgs[0]
    post(vg, "300.00")
    mistake = post(vg, "45.60", FundEntry.Direction.EXPENSE)
    fund_entry_reverse(entry=mistake, entry_date=DAY, reason="记错", acting_user=None)
    vg.refresh_from_db()
    assert vg.fund_balance == balance(vg) == Decimal("300.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        VillagerGroup.objects.filter(pk=vg.pk).update(fund_balance=Decimal("1000000.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        VillagerGroup.objects.create(village=vg.village, number=99, name="99社", fund_balance=Decimal("5.00"))
    vg.refresh_from_db()
    assert vg.fund_balance == balance(vg)


def test_the_verify_command_passes_every_kept_balance_and_names_a_broken_one(org, capsys):
    vg = org.a1_vgs[0]
    post(vg, "120.00")
    call_command("verify_fund_balances")
    assert f"All {VillagerGroup.objects.count()} villager groups' fund balances" in capsys.readouterr().out

    _break_the_guard()  # as a restore from a doctored dump would, or an owner with the triggers off
    VillagerGroup.objects.filter(pk=vg.pk).update(fund_balance=Decimal("999.00"))
    with pytest.raises(CommandError, match="1 of"):
        call_command("verify_fund_balances")
    assert "stored 999.00, entries 120.00" in capsys.readouterr().err


def _break_the_guard():
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"DROP TRIGGER {append_only.BALANCES}_balance_update")
        else:
            pgid = guards.balance_is_sum_of_entries.get_pgid(VillagerGroup)
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred check
            cursor.execute(f"ALTER TABLE {qn(append_only.BALANCES)} DISABLE TRIGGER {pgid}")


@POSTGRES
def test_even_the_owner_cannot_truncate_the_ledger(org):
    post(org.a1_vgs[0], "10.00")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE needs no deferred check pending
    with pytest.raises(IntegrityError, match="TRUNCATE"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE groups_fundentry CASCADE")
    assert FundEntry.objects.count() == 1


# --- settings: which role a command runs as ---------------------------------------------------------------------


def test_only_schema_commands_run_as_the_owner():
    assert owner_command(["manage.py", "migrate"]) and owner_command(["/srv/app/manage.py", "flush"])
    assert owner_command(["manage.py", "restore", "x.dump"])
    assert not owner_command(["manage.py", "runserver"]) and not owner_command(["gunicorn", "migrate"])


@pytest.mark.parametrize(("argv", "expected"), [("['manage.py', 'migrate']", "owner app"), ("['gunicorn']", "app app")])
def test_settings_take_the_owner_url_for_migrate_and_the_app_url_otherwise(argv, expected):
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://app:p@db.example:5432/dangxiaozu",
        "MIGRATE_DATABASE_URL": "postgres://owner:q@db.example:5432/dangxiaozu",
    }
    env.pop("DATABASE_APP_ROLE", None)
    code = f"import sys; sys.argv = {argv}; from config import settings as s; "
    code += "print(s.DATABASES['default']['USER'], s.DATABASE_APP_ROLE)"
    out = subprocess.run(  # noqa: S603 (this interpreter, fixed code)
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == expected


# --- the app role itself (PostgreSQL) ---------------------------------------------------------------------------


@pytest.fixture
def app_role(transactional_db):
    """A login role like production's app role, granted its rights the way `migrate` grants them; dropped after."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        if cursor.fetchone():
            cursor.execute(f"DROP OWNED BY {qn(role)}")
            cursor.execute(f"DROP ROLE {qn(role)}")
        cursor.execute(f"CREATE ROLE {qn(role)} LOGIN PASSWORD 'app-role-test'")
    guards.grant_app_role(connection, role)
    params = connection.get_connection_params()
    dsn = {k: params[k] for k in ("host", "port", "dbname") if params.get(k)}
    with psycopg.connect(**dsn, user=role, password="app-role-test", autocommit=True) as app:
        yield app
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {qn(role)}")
        cursor.execute(f"DROP ROLE {qn(role)}")


@POSTGRES
def test_the_app_role_cannot_truncate_edit_the_ledger_or_set_a_balance(org, app_role):
    vg = org.a1_vgs[0]
    entry = post(vg, "500.00")
    refused = [
        ("TRUNCATE groups_fundentry CASCADE", []),
        ("UPDATE groups_fundentry SET amount = 1 WHERE id = %s", [entry.pk]),
        ("DELETE FROM groups_fundentry WHERE id = %s", [entry.pk]),
        ("UPDATE groups_historicalfundentry SET amount = 1 WHERE id = %s", [entry.pk]),
        ("UPDATE groups_villagergroup SET fund_balance = 1000000 WHERE id = %s", [vg.pk]),
        ("ALTER TABLE groups_fundentry DISABLE TRIGGER ALL", []),
        ("ALTER TABLE groups_villagergroup DISABLE TRIGGER ALL", []),
        ("DELETE FROM django_migrations", []),
    ]
    for sql, params in refused:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            app_role.execute(sql, params)
    # pgtrigger's per-session switch does not help a role without the right
    with pytest.raises(psycopg.errors.InsufficientPrivilege), app_role.transaction():
        app_role.execute("SET LOCAL pgtrigger.ignore = '{x}'")
        app_role.execute("UPDATE groups_villagergroup SET fund_balance = 1000000 WHERE id = %s", [vg.pk])
    vg.refresh_from_db()
    assert vg.fund_balance == Decimal("500.00")
    assert FundEntry.objects.get(pk=entry.pk).amount == Decimal("500.00")


@POSTGRES
def test_the_app_role_still_posts_entries_and_edits_what_it_may(org, app_role):
    vg = org.a1_vgs[0]
    post(vg, "500.00")
    app_role.execute(
        "INSERT INTO groups_fundentry (villager_group_id, entry_date, direction, amount, category, counterparty,"
        " purpose, recorded_at) VALUES (%s, %s, 'expense', 20.50, 'other', '', '买水泥', now())",
        [vg.pk, DAY],
    )
    app_role.execute("UPDATE groups_villagergroup SET households = 41 WHERE id = %s", [vg.pk])
    vg.refresh_from_db()
    assert (vg.fund_balance, vg.households) == (Decimal("479.50"), 41)  # the database moved the balance itself
    assert app_role.execute("SELECT count(*) FROM members_partymember").fetchone()[0] > 0
    # the county figures kept a minute (core.figures): the app's role writes and reads them
    app_role.execute("INSERT INTO core_kept_figures (cache_key, value, expires) VALUES ('k', 'v', now())")
    assert app_role.execute("SELECT value FROM core_kept_figures WHERE cache_key = 'k'").fetchone()[0] == "v"
    app_role.execute("DELETE FROM core_kept_figures WHERE cache_key = 'k'")
