"""The read replica (config/replica.py): unset, nothing changes; set, the county's read-only pages read the business
data on `replica` while the session, the signed-in user, their roles and every other page stay on the primary.

The second half needs REPLICA_DATABASE_URL at start-up, so the first test runs it in a pytest of its own with the
variable set; there `replica` is a test mirror of `default` (TEST MIRROR), as Django arranges for replicas."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.replica import ReplicaRouter, _on_replica
from township.models import Assignment, Village

HAS_REPLICA = "replica" in settings.DATABASES


@pytest.mark.skipif(HAS_REPLICA, reason="the default configuration: run without REPLICA_DATABASE_URL")
def test_without_a_replica_nothing_changes_and_the_mirror_test_passes_with_one(tmp_path):
    assert settings.DATABASE_ROUTERS == []
    assert "config.replica.ReadOnlyPagesOnReplicaMiddleware" not in settings.MIDDLEWARE
    token = _on_replica.set(True)  # even while a county page were served, there is nowhere else to read
    try:
        assert ReplicaRouter().db_for_read(Village) is None
    finally:
        _on_replica.reset(token)

    env = dict(os.environ)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        # A database name of its own, so its test database is not this run's (pytest-django would drop that one).
        parts = urlsplit(url)
        url = urlunsplit(parts._replace(path=parts.path + "_replica"))
        env["DATABASE_URL"] = url
    env["REPLICA_DATABASE_URL"] = url or f"sqlite:///{tmp_path}/unused.sqlite3"  # a TEST MIRROR: never opened itself
    done = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-m", "pytest", __file__, "-p", "no:cacheprovider", "--no-migrations", "-v"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout, done.stdout[-2000:]


def tables(context):
    return " ".join(q["sql"] for q in context.captured_queries)


@pytest.mark.skipif(not HAS_REPLICA, reason="needs REPLICA_DATABASE_URL (run by the test above)")
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_county_overview_reads_its_figures_on_the_replica(org, county_viewer, login):
    assert settings.DATABASES["replica"]["TEST"]["MIRROR"] == "default"
    client = login(county_viewer)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get(reverse("county", args=[org.county.pk]))
    assert response.status_code == 200
    assert "东河乡" in response.content.decode()
    on_replica, on_primary = tables(replica), tables(primary)
    assert '"township_village"' in on_replica and '"groups_partygroup"' in on_replica
    assert '"django_session"' in on_primary and '"auth_user"' in on_primary
    assert '"township_assignment"' in on_primary
    for primary_only in ('"django_session"', '"auth_user"', '"township_assignment"', '"axes_'):
        assert primary_only not in on_replica


@pytest.mark.skipif(not HAS_REPLICA, reason="needs REPLICA_DATABASE_URL (run by the test above)")
@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_other_pages_and_every_write_stay_on_the_primary(org, secretary_a1, login):
    client = login(secretary_a1)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(reverse("village", args=[org.a1.pk])).status_code == 200
        assert client.post(reverse("county", args=[org.county.pk])).status_code in (404, 405)
    assert replica.captured_queries == []
    assert Assignment.objects.filter(user=secretary_a1).exists()
