"""The access matrix, over every URL of the app (built by the isolation matrix's builders, so a new page is covered
as soon as it is listed there):

- an anonymous visitor is sent to the login page from every page;
- the security auditor and the account administrator (三员) get 404 on every business page, GET or POST, and nothing
  changes; the auditor reads the audit pages, which everyone else gets 404 on.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.test_isolation_matrix import (  # noqa: F401  (a1: the fixture with objects of every kind in village A1)
    AUDIT_URLS,
    LIST_URLS,
    NOT_SCOPED,
    OBJECT_URLS,
    PAYLOAD,
    TOWNSHIP_URLS,
    YEAR_URLS,
    _all_url_names,
    a1,
    snapshot,
)

OPEN_TO_EVERYONE = {"home"}


def business_urls(objects) -> dict[str, str]:
    """name → URL of every business page (not the login pages, not the audit pages, not the landing page)."""
    urls = {name: build(objects) for name, build in {**OBJECT_URLS, **YEAR_URLS, **TOWNSHIP_URLS}.items()}
    urls.update({name: reverse(name) for name in LIST_URLS})
    for name in OPEN_TO_EVERYONE | NOT_SCOPED:
        urls.pop(name, None)
    return urls


def test_every_business_url_is_in_this_matrix(a1):  # noqa: F811
    expected = _all_url_names() - NOT_SCOPED - OPEN_TO_EVERYONE
    assert set(business_urls(a1)) == expected


def test_an_anonymous_visitor_is_sent_to_log_in_everywhere(a1, client):  # noqa: F811
    urls = {**business_urls(a1), **{name: reverse(name) for name in AUDIT_URLS | OPEN_TO_EVERYONE}}
    wrong = {}
    for name, url in urls.items():
        response = client.get(url)
        if response.status_code != 302 or not response["Location"].startswith(reverse("login")):
            wrong[name] = response.status_code
    assert not wrong, f"these pages do not send an anonymous visitor to log in: {wrong}"


@pytest.mark.parametrize("persona", ["auditor", "account_admin"])
def test_the_auditor_and_the_account_admin_get_404_on_every_business_page(persona, request, a1, login):  # noqa: F811
    client = login(request.getfixturevalue(persona))
    before = snapshot()
    wrong = {}
    for name, url in business_urls(a1).items():
        answers = (client.get(url).status_code, client.post(url, PAYLOAD).status_code)
        if answers != (404, 404):
            wrong[name] = answers
    assert not wrong, f"{persona} is answered other than 404 (GET, POST): {wrong}"
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["township_staff", "secretary_a1", "county_viewer", "account_admin"])
def test_only_the_auditor_opens_the_audit_pages(persona, request, a1, auditor, login):  # noqa: F811
    def answers(user) -> set[int]:
        client = login(user)
        return {client.get(reverse(name)).status_code for name in AUDIT_URLS}

    assert answers(request.getfixturevalue(persona)) == {404}
    assert answers(auditor) == {200}
