"""Bounded waits are set on every PostgreSQL connection the app opens (issue 19 #3): a connect timeout, a statement
timeout, a lock timeout and an idle-in-transaction timeout, from the environment with sane defaults."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tests.faults.helpers import postgresql_only


@postgresql_only
@pytest.mark.django_db
def test_every_connection_carries_the_timeouts_from_the_settings():
    with connection.cursor() as cursor:
        shown = {}
        for name in ("statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"):
            cursor.execute(f"SELECT setting FROM pg_settings WHERE name = '{name}'")  # noqa: S608 - fixed names
            shown[name] = int(cursor.fetchone()[0])
    assert shown == {
        "statement_timeout": settings.DB_STATEMENT_TIMEOUT_MS,
        "lock_timeout": settings.DB_LOCK_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": settings.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    }
    assert all(value > 0 for value in shown.values())  # the defaults bound every wait
    options = connection.settings_dict["OPTIONS"]
    assert 0 < options["connect_timeout"] <= 5 and 0 < options["tcp_user_timeout"] <= 5000


@postgresql_only
@pytest.mark.django_db
def test_no_connection_spends_time_compiling_statements():
    """JIT compiling paid 0.3–0.4 s on each big export's read and gained nothing (settings, "jit=off")."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@postgresql_only
@pytest.mark.django_db
def test_a_statement_run_again_and_again_is_planned_once(org):
    """Planning the pages' statements took longer than running them: a statement a connection has run
    DB_PREPARE_THRESHOLD times is prepared, and the server reuses it (settings, "Prepared statements")."""
    from django.conf import settings

    from township.models import Village

    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    for _ in range(settings.DB_PREPARE_THRESHOLD + 1):
        assert list(Village.objects.filter(township=org.ta, name="罗紫村").values_list("pk", flat=True)) == [org.a1.pk]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('FROM "township_village"' in s and "$1" in s for s in statements), statements


@postgresql_only
@pytest.mark.django_db
def test_a_prepared_statement_keeps_its_one_plan(org, township_staff, client, settings):
    """PostgreSQL, left to choose, planned the township's concern queue afresh at every request (its one reusable plan
    was estimated a little costlier): prepared statements keep their plan (settings, DB_PLAN_CACHE_MODE). The queue is
    counted at every request here (it is kept rendered otherwise, and its statements would run once)."""
    settings.VILLAGE_FIGURES_KEPT = False
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
    client.force_login(township_staff)
    runs = settings.DB_PREPARE_THRESHOLD + 4
    for _ in range(runs):
        assert client.get("/concerns/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, custom_plans, generic_plans FROM pg_prepared_statements")
        plans = cursor.fetchall()
    assert any("activity_concern" in statement for statement, _, _ in plans), plans
    assert all(custom == 0 and generic >= 1 for _, custom, generic in plans), plans
