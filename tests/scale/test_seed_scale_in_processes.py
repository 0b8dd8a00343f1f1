"""`seed_scale --processes N` (PostgreSQL): the counties generated side by side in worker processes give the same
rows, ids and keys as one process does, and a worker that fails or is killed leaves nothing behind.

Three counties of one township each (`per_county=1`), so that two workers share them and one takes two."""

from __future__ import annotations

import datetime
import os
import signal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse

from appraisal.models import Award
from members.models import PartyMember
from seeding.scale import _tables, seed_scale
from seeding.scale import work as work_stage
from seeding.scale.in_processes import WorkerFailed
from township.models import County, Township, Village

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes serve PostgreSQL runs")

DAY = datetime.date(2026, 6, 15)
PASSWORD = "Scale-Test-Pass-1"


def run(processes: int, **options):
    return seed_scale(
        townships=3, years=1, password=PASSWORD, seed=5, today=DAY, processes=processes, per_county=1, **options
    )


def every_row() -> dict[str, list[tuple]]:
    """Every generated table's rows in id order, every column as the application reads it (ID and phone numbers
    decrypted), but the password hash (salted anew by each run)."""
    tables = {}
    for model, _columns in _tables():
        names = [f.attname for f in model._meta.concrete_fields if f.attname != "password"]
        tables[model._meta.db_table] = list(model.objects.order_by("pk").values_list(*names))
    return tables


def generated(processes: int):
    """A run's rows and result, rolled back afterwards."""
    savepoint = transaction.savepoint()
    result = run(processes)
    rows = every_row()
    transaction.savepoint_rollback(savepoint)
    return rows, result


def test_two_processes_write_the_same_rows_ids_and_keys_as_one(db):
    one, result_one = generated(1)
    two, result_two = generated(2)
    assert (result_one.processes, result_two.processes) == (1, 2)
    assert len(one["township_county"]) == 3 and len(one["township_township"]) == 3
    assert len(one["activity_activity_participants"]) > 1000 and len(one["dues_line"]) > 1000
    different = [table for table in one if one[table] != two[table]]
    assert different == []
    assert result_two.year_scores == result_one.year_scores and result_one.year_scores
    assert {t: n for t, (n, _s) in result_two.rows.items()} == {t: n for t, (n, _s) in result_one.rows.items()}


def test_the_ids_go_on_from_those_already_there_and_the_accounts_log_in(db, client):
    first = run(2)
    awards = Award.objects.count()
    members = PartyMember.objects.count()
    second = run(2, append=True)
    assert second.first_township == 4 and second.first_county == 4
    assert Township.objects.count() == 6 and County.objects.count() == 6
    assert Award.objects.count() > awards and PartyMember.objects.count() > members
    assert first.year_scores.keys().isdisjoint(second.year_scores.keys())
    for township_id, _year in second.year_scores:
        assert Township.objects.filter(pk=township_id, name__isnull=False).exists()
    secretary = get_user_model().objects.get(username="t0006v01")
    assert secretary.check_password(PASSWORD)
    village = secretary.assignment.village
    assert village.township.county.name == County.objects.order_by("pk").last().name
    client.force_login(secretary)
    page = client.get(reverse("home"), follow=True)
    assert page.status_code == 200 and village.name in page.content.decode()
    far = Village.objects.exclude(township=village.township).first()
    assert client.get(reverse("village", args=[far.pk])).status_code == 404


def test_a_worker_that_fails_leaves_nothing(db, monkeypatch):
    write_concerns = work_stage.write_concerns

    def fails_in_the_second_county(run, town):
        if town.number == 2:
            raise RuntimeError("生成失败：测试")
        write_concerns(run, town)

    monkeypatch.setattr(work_stage, "write_concerns", fails_in_the_second_county)
    with pytest.raises(WorkerFailed, match="生成失败：测试"):
        run(2)
    assert not Township.objects.exists() and not PartyMember.objects.exists()
    assert not get_user_model().objects.filter(username__startswith="t000").exists()


def test_a_worker_killed_midway_leaves_nothing(db, monkeypatch):
    write_concerns = work_stage.write_concerns

    def killed_in_the_third_county(run, town):
        if town.number == 3:
            os.kill(os.getpid(), signal.SIGKILL)
        write_concerns(run, town)

    monkeypatch.setattr(work_stage, "write_concerns", killed_in_the_third_county)
    with pytest.raises(WorkerFailed, match="stopped"):
        run(2)
    assert not Township.objects.exists() and not PartyMember.objects.exists()
    with connection.cursor() as cursor:  # the connection goes on working in the test's transaction
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
