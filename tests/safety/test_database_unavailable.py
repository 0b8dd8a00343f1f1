"""The database unreachable: people get a Chinese "try again later" page with status 503 and Retry-After (not a
500), the error is logged, nothing is half-written, and the next request works once the database is back."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from groups.models import FundEntry
from tests.groups.test_ledger_views import entry_data

PAGE_TEXT = "服务暂时不可用，请稍后再试"


@pytest.fixture
def browser(client):
    """The test client answering like the server: an exception in a request becomes the error page."""
    client.raise_request_exception = False
    return client


@contextmanager
def database_down(error=OperationalError):
    """Every new cursor fails, as when the server is down or the network to it is cut."""
    with mock.patch.object(connection, "ensure_connection", side_effect=error("could not connect to server")):
        yield


@contextmanager
def failing(table: str):
    """Statements writing to `table` fail, as when the database goes away half-way through a save."""

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and table in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert PAGE_TEXT in response.content.decode()


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_page_answers_503_in_chinese_while_the_database_is_down_and_works_again_after(
    org, secretary_a1, browser, caplog, error
):
    page = reverse("village", args=[org.a1.pk])
    browser.force_login(secretary_a1)
    assert browser.get(page).status_code == 200
    with database_down(error), caplog.at_level(logging.ERROR):
        assert_unavailable_page(browser.get(page))
    assert any("Database unavailable" in r.getMessage() for r in caplog.records)
    assert browser.get(page).status_code == 200


def test_the_login_page_answers_503_too(org, browser):
    with database_down():
        response = browser.post(reverse("login"), {"username": "luozi", "password": "whatever-1A"})
    assert_unavailable_page(response)


def test_a_save_cut_off_half_way_writes_nothing_and_can_be_sent_again(org, secretary_a1, browser):
    """The entry's row is inserted, then its history row fails: the page says so and neither row is kept."""
    vg = org.a1_vgs[0]
    url = reverse("funds:entry-new", args=[vg.pk])
    browser.force_login(secretary_a1)
    with failing("groups_historicalfundentry"):
        assert_unavailable_page(browser.post(url, entry_data(amount="800")))
    assert not FundEntry.objects.filter(villager_group=vg).exists()
    assert not FundEntry.history.filter(villager_group=vg).exists()
    assert browser.post(url, entry_data(amount="800")).status_code == 302
    assert list(FundEntry.objects.filter(villager_group=vg).values_list("amount", flat=True)) == [Decimal("800.00")]


def test_other_errors_still_get_the_500_page(org, secretary_a1, browser):
    browser.force_login(secretary_a1)
    with mock.patch("groups.ledger.views.balance", side_effect=ValueError("a bug")):
        response = browser.get(reverse("funds:entry-new", args=[org.a1_vgs[0].pk]))
    assert response.status_code == 500
    assert PAGE_TEXT not in response.content.decode()


def _drop_our_connection_on_the_server() -> None:
    """What a PostgreSQL restart does to the app's connection: the server ends it (from another connection)."""
    import psycopg

    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    params = {"host": s["HOST"], "port": s["PORT"] or 5432, "user": s["USER"], "password": s["PASSWORD"]}
    with psycopg.connect(**params, dbname=s["NAME"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a PostgreSQL server to drop the connection")
@pytest.mark.django_db(transaction=True)
def test_after_the_server_drops_the_connection_the_next_request_works(org, secretary_a1, browser, settings):
    """Between requests (a restart while idle), the kept connection is health-checked and replaced: no error at all.
    During a request, that request gets the 503 page and the one after it works. `close_old_connections` is what
    the server runs at the start and end of every request (the test client leaves it out)."""
    from django.db import close_old_connections

    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    page = reverse("village", args=[org.a1.pk])
    browser.force_login(secretary_a1)
    connection.ensure_connection()

    _drop_our_connection_on_the_server()
    close_old_connections()  # request start
    assert browser.get(page).status_code == 200

    _drop_our_connection_on_the_server()
    assert_unavailable_page(browser.get(page))
    close_old_connections()  # request end
    assert browser.get(page).status_code == 200
