"""A small HTTP client for the benchmark: a logged-in browser session over real HTTP (cookies, CSRF), timing each
request from the first byte sent to the last byte read. Standard library only, so the bench adds no dependency."""

from __future__ import annotations

import http.client
import math
import re
import statistics
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

TIMEOUT = 900  # seconds; a province's roster takes a while


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def queries(self) -> int | None:
        value = self.headers.get("x-query-count")
        return int(value) if value is not None else None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Session:
    """One person's browser: keeps the session and CSRF cookies between requests."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None) -> Response:
        headers = {"Accept-Language": "zh-hans", "User-Agent": "dangxiaozu-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
        try:
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read()
            seconds = time.perf_counter() - started
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(raw.status, {k.lower(): v for k, v in raw.headers.items()}, content, seconds)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def login(self, username: str, password: str) -> None:
        """Log in through the login form, as a person would; fails loudly if the account cannot."""
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        if answer.status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(
                f"Could not log in as {username!r} (HTTP {answer.status}). Check BENCH_PASSWORD and that the account "
                "exists in this database; two-factor must be off for the bench (the bench sets OTP_REQUIRED=False)."
            )


def form_value(html: str, name: str) -> str | None:
    """The value of a hidden form field in a page (the report's version, for instance)."""
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return match.group(1) if match else None


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank), as a load tester reports it."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(seconds: list[float]) -> dict:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "max_ms": round(max(ms), 1),
    }
