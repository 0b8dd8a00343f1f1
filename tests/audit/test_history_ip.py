"""Every history row says from which address the change was made: the client's, read from REMOTE_ADDR, or from
X-Forwarded-For only when the operator says a proxy stands in front (TRUSTED_PROXY_COUNT)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.audit.conftest import Action, events, mark


def rename_village(client, org, name: str, **headers):
    """Change village A1 through the admin, as township staff do."""
    url = reverse("admin:township_village_change", args=[org.a1.pk])
    data = {
        "township": org.ta.pk, "name": org.a1.name, "branch_name": name, "secretary_name": org.a1.secretary_name,
        "villager_groups-TOTAL_FORMS": "0", "villager_groups-INITIAL_FORMS": "0",
        "party_groups-TOTAL_FORMS": "0", "party_groups-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = client.post(url, data, **headers)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return org.a1.history.latest()


@pytest.mark.parametrize("proxies, expected", [(0, "192.0.2.10"), (1, "198.51.100.7")])
def test_a_change_through_a_page_keeps_the_client_address(proxies, expected, org, township_staff, login, settings):
    settings.TRUSTED_PROXY_COUNT = proxies
    client = login(township_staff)
    row = rename_village(
        client, org, "中共罗紫村支部", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.7"
    )
    assert (row.history_ip, row.history_user, row.branch_name) == (expected, township_staff, "中共罗紫村支部")


def test_without_a_trusted_proxy_a_forged_header_is_ignored(org, township_staff, login, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    row = rename_village(login(township_staff), org, "改名", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert row.history_ip == "192.0.2.10"


def test_security_events_keep_the_same_address(org, secretary_a2, login, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    since = mark()
    url = reverse("village", args=[org.a1.pk])
    login(secretary_a2).get(url, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.44")
    (event,) = events(Action.ACCESS_DENIED, after=since)
    assert event.ip == "192.0.2.44"


def test_a_change_outside_a_request_has_no_address(org):
    from core.stamp import stamp

    village = org.a1
    village.branch_name = "命令行修改"
    stamp(village, None).save()
    assert village.history.latest().history_ip is None
