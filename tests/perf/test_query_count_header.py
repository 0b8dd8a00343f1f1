"""The benchmark's X-Query-Count header: on only when the server was started with BENCH_COUNT_QUERIES=1, never
switched on by anything in a request, and equal to the statements the request really ran."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.querycount import HEADER

COUNTING = "core.querycount.QueryCountMiddleware"


def test_it_is_off_by_default_and_a_request_cannot_turn_it_on(org, secretary_a1, login):
    assert not settings.BENCH_COUNT_QUERIES
    assert COUNTING not in settings.MIDDLEWARE
    response = login(secretary_a1).get(
        reverse("village", args=[org.a1.pk]) + "?BENCH_COUNT_QUERIES=1",
        HTTP_X_QUERY_COUNT="1",
        HTTP_BENCH_COUNT_QUERIES="1",
    )
    assert response.status_code == 200
    assert HEADER not in response


def test_listed_but_not_enabled_it_stays_out(org, secretary_a1, login):
    with override_settings(MIDDLEWARE=[COUNTING, *settings.MIDDLEWARE], BENCH_COUNT_QUERIES=False):
        response = login(secretary_a1).get(reverse("village", args=[org.a1.pk]))
    assert HEADER not in response


def test_when_the_server_turns_it_on_it_counts_every_statement(org, secretary_a1, login):
    with override_settings(MIDDLEWARE=[COUNTING, *settings.MIDDLEWARE], BENCH_COUNT_QUERIES=True):
        client = login(secretary_a1)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("village", args=[org.a1.pk]))
    assert response.status_code == 200
    assert int(response[HEADER]) == len(ctx.captured_queries) > 5


def test_the_floor_view_is_served_only_by_the_bench_urls(client, db):
    """The bench's one-query floor view exists in bench.urls (the bench server's URLconf), never in the app's."""
    assert settings.ROOT_URLCONF == "config.urls"
    assert client.get("/bench/floor/").status_code == 404
    with override_settings(ROOT_URLCONF="bench.urls"):
        response = client.get("/bench/floor/")
        assert response.status_code == 200
        assert response.content == b"ok"
        assert reverse("village", args=[1]) == "/village/1/"  # the app's own pages are still there
