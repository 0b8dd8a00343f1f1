"""A connection lost while a form's choices are read gets the 503 page, not the 500 page (issue 19, fault 7): the
choices are read while the template is drawn, and psycopg's own error (AdminShutdown: "terminating connection due to
administrator command") can arrive there without Django's wrapping. The first tests hold that case (they fail without
psycopg's errors in core.unavailable.DATABASE_ERRORS); the last ends a real connection while the fund form's choices
are read, which in this setup arrives wrapped, and shows the page a person gets."""

from __future__ import annotations

import psycopg
import pytest
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import reverse

from core.unavailable import server_error
from tests.faults.helpers import PAGE_TEXT, assert_unavailable, postgresql_only, terminated_on


@pytest.mark.parametrize(
    "error", [psycopg.errors.AdminShutdown, psycopg.OperationalError, psycopg.InterfaceError], ids=lambda e: e.__name__
)
def test_psycopgs_own_disconnect_errors_get_the_503_page(error):
    request = RequestFactory().get("/funds/")
    try:
        raise error("terminating connection due to administrator command")
    except error:
        response = server_error(request)
    assert response.status_code == 503 and PAGE_TEXT in response.content.decode()


def test_any_other_psycopg_error_is_still_a_500():
    request = RequestFactory().get("/funds/")
    try:
        raise psycopg.errors.DivisionByZero("division by zero")
    except psycopg.Error:
        response = server_error(request)
    assert response.status_code == 500


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_connection_ended_while_a_forms_choices_are_read_gives_the_503_page(org, secretary_a1, client):
    client.raise_request_exception = False
    client.force_login(secretary_a1)
    url = reverse("funds:entry-new", args=[org.a1_vgs[0].pk])
    assert (
        'name="decision"' in client.get(url).content.decode()
    )  # the form has a list of choices read from the database
    with terminated_on('FROM "groups_meetingdecision"') as fired:
        response = client.get(url)
    close_old_connections()
    assert fired
    assert_unavailable(response)
    assert client.get(url).status_code == 200
