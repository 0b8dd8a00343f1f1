"""The province ÷ county ratios from one run: each key page asked of the two servers in turn (`measure_pair`), and
the verdict reads the county's figures measured beside, not a run kept from earlier."""

from __future__ import annotations

from bench import run
from bench.client import Response
from bench.scenario import Page, measure_pair


class FakeSession:
    """A server answering every request in `ms`, counting `queries`; `log` records who was asked, in order."""

    def __init__(self, name: str, ms: list[float], queries: int, log: list):
        self.name, self.ms, self.queries, self.log = name, list(ms), queries, log

    def get(self, path: str) -> Response:
        self.log.append(self.name)
        seconds = self.ms.pop(0) / 1000 if self.ms else 0.001
        return Response(200, {"x-query-count": str(self.queries)}, b"<html></html>", seconds)


def test_the_two_servers_are_asked_in_turn_and_measured_apart():
    log: list[str] = []
    page = Page("fund ledger", "secretary", "/funds/vg/10/")
    province = FakeSession("province", [5, 5] + [10.0] * 20, 6, log)  # two warm-up requests, then timed
    county = FakeSession("county", [5, 5] + [8.0] * 20, 6, log)
    mine, theirs = measure_pair(province, county, page, requests=20, warmup=2)
    assert log[:6] == ["province", "county", "province", "county", "province", "county"]
    assert len(log) == 44
    assert mine["p95_ms"] == 10.0 and theirs["p95_ms"] == 8.0
    assert mine["queries"] == theirs["queries"] == 6 and mine["path"] == "/funds/vg/10/"


def _result(p95: float, beside: float | None) -> dict:
    page = {"p95_ms": p95, "queries": 6}
    if beside is not None:
        page["county_beside"] = {"p95_ms": beside, "queries": 6}
    return {"preset": "province", "pages": {"fund ledger": page}, "load": None, "exports": {}}


def test_the_ratio_is_taken_from_the_county_measured_beside():
    kept = {"pages": {"fund ledger": {"p95_ms": 5.0, "queries": 6}}}  # an earlier county run: 10 / 5 would be 2.0
    checks = {name: (ok, detail) for name, ok, detail in run.verdicts(_result(10.0, 9.0), kept)}
    ok, detail = checks["page fund ledger flat"]
    assert ok and "1.11" in detail and "same run, alternated" in detail


def test_without_a_county_beside_the_kept_county_run_is_used():
    kept = {"pages": {"fund ledger": {"p95_ms": 5.0, "queries": 6}}}
    checks = {name: (ok, detail) for name, ok, detail in run.verdicts(_result(10.0, None), kept)}
    ok, detail = checks["page fund ledger flat"]
    assert not ok and "2.00" in detail and "the county run kept" in detail
