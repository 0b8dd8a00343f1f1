"""Data built once for the tests that follow one another: the `org` tree (tests/conftest.py), a module's demo county.

Three tests in four ask for `org`, and building it through the services (about 900 queries) was the largest single
cost of the suite; a demo county (seeding.demo) costs half a minute of processor each time. A fixture made with
`shared_fixture(name, build)` is built once, at TEST_NOW, in an outer transaction that stays open while consecutive
tests ask for the same shared fixtures. Each test runs in a savepoint inside it (pytest-django's `db` nests its
transaction) and rolls back to it at the end — what Django's TestCase does with setUpTestData — and gets its own deep
copy of the value, so nothing a test changes reaches the next. A test that asks for none of them, for others, is
transactional, or runs at another `now` first rolls the shared data back: it sees exactly the database it saw when
every test built its own. SHARED_DATA=0 builds them afresh for every test, as before.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from pytest_django.fixtures import validate_django_db

from tests.clock import suite_now

TEST_NOW = suite_now()
EVERYWHERE = "*"

# (module that defines the fixture, or EVERYWHERE for a conftest's) and fixture name → how to build its value.
_builders: dict[tuple[str, str], Callable[[], Any]] = {}
_state = SimpleNamespace(atomic=None, keys=(), values={}, blocker=None, builds=0)


def shared_fixture(name: str, build: Callable[[], Any], *, everywhere: bool = False):
    """A fixture (requesting `db`) whose value `build()` makes once for consecutive tests that ask for it."""
    key = (EVERYWHERE if everywhere else build.__module__, name)
    _builders[key] = build

    @pytest.fixture(name=name)
    def fixture(request, db):
        if key in _state.keys and _keys_of(request.node) == _state.keys and _alive(inside_a_test=True):
            return copy.deepcopy(_state.values[key])
        return build()

    fixture.__doc__ = build.__doc__
    return fixture


def _keys_of(item) -> tuple:
    """The shared fixtures a test may take from the shared transaction (empty: it builds everything itself)."""
    if os.environ.get("SHARED_DATA", "1") == "0":
        return ()
    fixtures = getattr(item, "fixturenames", ())
    module = getattr(getattr(item, "module", None), "__name__", "")
    keys = tuple(key for name in fixtures for key in ((module, name), (EVERYWHERE, name)) if key in _builders)
    if not keys or "transactional_db" in fixtures or "live_server" in fixtures:
        return ()
    if {"django_db_reset_sequences", "django_db_serialized_rollback"} & set(fixtures):
        return ()
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transaction, reset_sequences, databases, serialized_rollback, available_apps = validate_django_db(marker)
        if transaction or reset_sequences or databases or serialized_rollback or available_apps:
            return ()
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("now", TEST_NOW) != TEST_NOW:
        return ()
    return keys


def _alive(*, inside_a_test: bool) -> bool:
    """The shared transaction is the outermost block (and, between tests, the only one) of a usable connection."""
    from django.db import connection

    blocks = connection.atomic_blocks
    return (
        _state.atomic is not None
        and connection.connection is not None
        and bool(blocks)
        and blocks[0] is _state.atomic
        and (inside_a_test or (len(blocks) == 1 and not connection.needs_rollback))
        and not connection.closed_in_transaction
    )


def _close() -> None:
    if _state.atomic is None:
        return
    from django.db import connection, transaction

    atomic, _state.atomic, _state.keys, _state.values = _state.atomic, None, (), {}
    with _state.blocker.unblock():
        if connection.atomic_blocks and connection.atomic_blocks[0] is atomic:
            while len(connection.atomic_blocks) > 1:  # a test left a block open: end it as its own test would
                transaction.set_rollback(True)
                connection.atomic_blocks[-1].__exit__(None, None, None)
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _open(keys: tuple) -> None:
    from django.db import transaction

    with _state.blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # like TestCase's own blocks: a durable atomic inside a test still works
        atomic.__enter__()
        _state.atomic, _state.keys = atomic, keys
        with time_machine.travel(TEST_NOW, tick=True):
            _state.values = {key: _builders[key]() for key in keys}
        _state.builds += 1


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before any fixture of the test: keep or open the shared data it may use, roll back what it may not."""
    if _state.blocker is None:  # the test database does not exist yet: this test builds its own
        return
    keys = _keys_of(item)
    if not keys:
        _close()
    elif keys != _state.keys or not _alive(inside_a_test=False):
        _close()
        _open(keys)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, and the shared data rolled back before it is dropped."""
    _state.blocker = django_db_blocker
    yield
    _close()
    _state.blocker = None
