"""Personas and the org tree they work in.

County 青川县 → township A 东河乡 (villages A1 罗紫村, A2 井阳村) and township B 西山乡 (village B1 白石村).
Posts, coverage and elections are made through `groups.services`, the way the application makes them.

| persona            | account   | role                                  |
|--------------------|-----------|---------------------------------------|
| township_staff     | xiang     | township staff of A (is_staff)        |
| secretary_a1       | luozi     | branch secretary of A1                |
| secretary_a2       | jingyang  | branch secretary of A2                |
| township_b_staff   | xishan    | township staff of B (is_staff)        |
| county_viewer      | county    | county viewer (is_staff, read-only)   |
| group_leader       | zuzhang   | leader of A1's first party group      |
| auditor            | shenji    | security auditor (三员), no scope      |
| account_admin      | zhanghu   | account administrator (三员), no scope |
| superuser          | admin     | system administrator                  |
"""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
import time_machine

from tests.clock import suite_now
from tests.factories import (
    CountyFactory,
    PartyGroupFactory,
    PartyMemberFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
    VillagerGroupFactory,
    assign,
    cover,
    elect,
    join,
)
from tests.shared import django_db_setup, pytest_runtest_setup, shared_fixture  # noqa: F401 (pytest reads them here)
from township.models import Assignment

Role = Assignment.Role
ELECTED_ON = datetime.date(2024, 1, 10)


# --- the clock -------------------------------------------------------------------------------------------------------
#
# No test depends on the real date. The whole run, collection included, happens at one instant, TEST_NOW (ISO 8601
# with its offset), by default an ordinary June morning in Beijing; every test starts at that instant again, and time
# moves on from there (tick=True: sessions, lockouts and "x minutes ago" still see time pass). time-machine moves the
# clock of the whole process, so the live server's thread of the browser tests sees the same time.
#
#   TEST_NOW=2026-12-31T23:30:00+08:00 pytest        # the whole suite on New Year's Eve, 15:30 UTC
#
# A test about dates runs at the edge instants too: parametrise the `now` fixture over `tests.clock.EDGE_INSTANTS`.

TEST_NOW = suite_now()
_session_travel = time_machine.travel(TEST_NOW, tick=True)
# Started as this file is imported, before any other conftest or test module: module-level dates in them are TEST_NOW's
# too. (In pytest_configure it came too late for a sub-folder's conftest named on the command line, which pytest
# imports first: `pytest tests/perf/…` then built tests/perf's dates from the real day.)
_session_travel.start()


def pytest_unconfigure(config):
    _session_travel.stop()


def pytest_report_header(config):
    return f"clock: tests run at {TEST_NOW.isoformat()} (TEST_NOW)"


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Files the app keeps in Django storage (job files) go to a temporary folder, never the checkout's media/."""
    from django.conf import settings

    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))


@pytest.fixture
def now() -> datetime.datetime:
    """The instant the test starts at: TEST_NOW. Parametrise `now` to run a test at other instants."""
    return TEST_NOW


@pytest.fixture(autouse=True)
def _clock(now):
    """Every test starts at `now`, before any of its fixtures is made, and time moves on from there."""
    with time_machine.travel(now, tick=True):
        yield


# --- password hashing ------------------------------------------------------------------------------------------------
#
# Argon2 spends about 0.2 s of processor and 100 MB on every password it hashes or checks, on purpose. The suite sets
# and checks passwords hundreds of times (the demo accounts, logins through the form); it does so with MD5, which
# changes nothing a test can see but the stored hash. tests/test_passwords.py puts the production hashers back and
# checks that they are Argon2's.

FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
        yield


@pytest.fixture
def frozen_at():
    """`frozen_at(moment)`: move the clock to an aware moment for the rest of the test (time still moving unless
    `tick=False`)."""
    travels = []

    def _travel(moment: datetime.datetime, *, tick: bool = True) -> datetime.datetime:
        if moment.tzinfo is None:
            raise ValueError("give an aware moment: the same hour is another instant in Beijing and in UTC")
        travel = time_machine.travel(moment, tick=tick)
        travel.start()
        travels.append(travel)
        return moment

    yield _travel
    for travel in reversed(travels):
        travel.stop()


def _village(township, name: str, n_villager_groups: int):
    village = VillageFactory(township=township, name=name)
    vgs = [VillagerGroupFactory(village=village, number=k, name=f"{k}社") for k in range(1, n_villager_groups + 1)]
    return village, vgs


def _members(village, prefix: str, numbers) -> list:
    return [PartyMemberFactory(village=village, name=f"{prefix}{k}") for k in numbers]


def _build_org() -> SimpleNamespace:
    """The org tree with villager groups, party groups, members, coverage and elections."""
    county = CountyFactory(name="青川县")
    ta = TownshipFactory(county=county, name="东河乡")
    tb = TownshipFactory(county=county, name="西山乡")

    a1, a1_vgs = _village(ta, "罗紫村", 4)
    a1_g1 = PartyGroupFactory(village=a1, name="罗紫一二社党小组")
    a1_g2 = PartyGroupFactory(village=a1, name="罗紫三四社党小组")
    a1_g1_members = _members(a1, "罗紫党员", range(1, 6))
    a1_g2_members = _members(a1, "罗紫党员", range(6, 10))
    # a fixed birth date: the factory derives it from its sequence, and the roster tests import this member with a
    # joining date of 2001, which a birth date late in the sequence (after 1983) would make a minor's
    a1_loose = PartyMemberFactory(village=a1, name="罗紫外出党员", birth_date=datetime.date(1962, 4, 18))
    join(a1_g1_members, a1_g1)
    join(a1_g2_members, a1_g2)
    cover(a1_g1, a1_vgs[:2])
    cover(a1_g2, a1_vgs[2:])
    a1_election = elect(a1_g1, ELECTED_ON, 5, a1_g1_members[0], [a1_g1_members[1]])

    a2, a2_vgs = _village(ta, "井阳村", 2)
    a2_g1 = PartyGroupFactory(village=a2, name="井阳一二社党小组")
    a2_members = _members(a2, "井阳党员", range(1, 5))
    join(a2_members, a2_g1)
    cover(a2_g1, a2_vgs)
    elect(a2_g1, ELECTED_ON, 4, a2_members[0])

    b1, b1_vgs = _village(tb, "白石村", 2)
    b1_g1 = PartyGroupFactory(village=b1, name="白石一二社党小组")
    b1_members = _members(b1, "白石党员", range(1, 4))
    join(b1_members, b1_g1)
    cover(b1_g1, b1_vgs)
    b1_election = elect(b1_g1, ELECTED_ON, 3, b1_members[0])

    return SimpleNamespace(
        county=county,
        ta=ta,
        tb=tb,
        a1=a1,
        a1_vgs=a1_vgs,
        a1_g1=a1_g1,
        a1_g2=a1_g2,
        a1_g1_members=a1_g1_members,
        a1_g2_members=a1_g2_members,
        a1_loose=a1_loose,
        a1_election=a1_election,
        a2=a2,
        a2_vgs=a2_vgs,
        a2_g1=a2_g1,
        a2_members=a2_members,
        b1=b1,
        b1_vgs=b1_vgs,
        b1_g1=b1_g1,
        b1_members=b1_members,
        b1_election=b1_election,
    )


# Built once for the tests that follow one another asking for it; each gets its own copy (tests/shared.py).
org = shared_fixture("org", _build_org, everywhere=True)


@pytest.fixture
def township_staff(org):
    user = UserFactory(username="xiang", is_staff=True)
    assign(user, Role.TOWNSHIP_STAFF, township=org.ta)
    return user


@pytest.fixture
def secretary_a1(org):
    user = UserFactory(username="luozi")
    assign(user, Role.BRANCH_SECRETARY, village=org.a1)
    return user


@pytest.fixture
def secretary_a2(org):
    user = UserFactory(username="jingyang")
    assign(user, Role.BRANCH_SECRETARY, village=org.a2)
    return user


@pytest.fixture
def township_b_staff(org):
    user = UserFactory(username="xishan", is_staff=True)
    assign(user, Role.TOWNSHIP_STAFF, township=org.tb)
    return user


@pytest.fixture
def county_viewer(org):
    user = UserFactory(username="county", is_staff=True)
    assign(user, Role.COUNTY_VIEWER, county=org.county)
    return user


@pytest.fixture
def group_leader(org):
    user = UserFactory(username="zuzhang")
    assign(user, Role.GROUP_LEADER, party_group=org.a1_g1)
    return user


@pytest.fixture
def auditor(org):
    user = UserFactory(username="shenji")
    assign(user, Role.AUDITOR)
    return user


@pytest.fixture
def account_admin(org):
    user = UserFactory(username="zhanghu", is_staff=True)
    assign(user, Role.ACCOUNT_ADMIN)
    return user


@pytest.fixture
def superuser(org):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def login(client):
    """`login(user)` → the test client, logged in as that user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


# Names that township A's people must never see.
TOWNSHIP_B_NAMES = ("西山乡", "白石村", "白石一二社党小组", "白石党员1")


@pytest.fixture(autouse=True)
def _one_transaction_per_request(request):
    """CHECK_ONE_TRANSACTION=1: every request a test makes writes in one transaction (tests/one_transaction.py).

    CHECK_ONE_TRANSACTION=log: the same check over a whole run without failing a test; each violation is appended,
    with its test, to the file CHECK_ONE_TRANSACTION_FILE (default one-transaction.log), to read after the run."""
    import os

    mode = os.environ.get("CHECK_ONE_TRANSACTION")
    if mode not in ("1", "log") or request.node.path.name == "test_one_transaction.py":  # the checker's own tests
        yield
        return
    from tests.one_transaction import one_transaction_per_request

    with one_transaction_per_request() as checker:
        yield
    if mode == "log":
        if checker.violations:
            with open(os.environ.get("CHECK_ONE_TRANSACTION_FILE", "one-transaction.log"), "a") as log:
                log.writelines(f"{request.node.nodeid}\t{v}\n" for v in checker.violations)
        return
    assert not checker.violations, "\n".join(checker.violations)
