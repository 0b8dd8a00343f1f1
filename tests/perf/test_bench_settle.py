"""`make bench` first waits for the machine's load average to fall, so a run started straight after another (the
province after the county) does not measure its first pages on a machine still busy with the last one."""

from __future__ import annotations

import pytest

from bench import run


@pytest.fixture
def machine(monkeypatch):
    """A machine whose load average falls by a step every 5 s of (fake) waiting."""
    state = {"now": 0.0, "loads": []}
    monkeypatch.setattr(run.time, "monotonic", lambda: state["now"])

    def sleep(seconds):
        state["now"] += seconds

    monkeypatch.setattr(run.time, "sleep", sleep)
    monkeypatch.setattr(
        run.os, "getloadavg", lambda: (state["loads"][min(int(state["now"] // 5), len(state["loads"]) - 1)], 0, 0)
    )
    return state


def test_it_waits_until_the_load_average_falls(machine, capsys):
    machine["loads"] = [3.4, 2.6, 1.9, 1.2, 0.9, 0.5]
    assert run.settle(1.0, 120) == 20.0
    assert "waiting up to 120 s for the load average (3.40) to fall to 1.0" in capsys.readouterr().out


def test_it_gives_up_after_the_longest_wait(machine):
    machine["loads"] = [3.4]
    assert run.settle(1.0, 30) == 30.0


def test_a_quiet_machine_or_no_wait_starts_at_once(machine, capsys):
    machine["loads"] = [0.4]
    assert run.settle(1.0, 120) == 0.0
    machine["loads"] = [3.4]
    assert run.settle(1.0, 0) == 0.0
    assert capsys.readouterr().out == ""
