"""The server under test: gunicorn with the production settings (DEBUG off, hashed static files collected first) on a
free loopback port, plus what the bench reads from its worker processes (peak resident memory)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.client import Session

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def production_env(keys: dict[str, str]) -> dict[str, str]:
    """The environment `make serve` would give the app, on loopback: DEBUG off, hashed static files, plain-HTTP
    cookies and no HTTPS redirect (there is no TLS here), two-factor off for the bench accounts, the query-count
    header on (it exists for this bench only), and jobs run in the request that starts them (`make worker` runs the
    same code in production; here its time and the worker's memory are those of that request)."""
    env = dict(os.environ)
    env.update(keys)
    env.update(
        DEBUG="False",
        STATIC_MANIFEST="True",
        ALLOWED_HOSTS=f"{HOST},localhost",
        SESSION_COOKIE_SECURE="False",
        CSRF_COOKIE_SECURE="False",
        SECURE_SSL_REDIRECT="False",
        OTP_REQUIRED="False",
        BENCH_COUNT_QUERIES="1",
        JOBS_BACKEND="inline",  # a roster job runs in the request that starts it: timed, and its memory measured
        LOG_LEVEL=env.get("BENCH_LOG_LEVEL", "WARNING"),
    )
    return env


def prepare(env: dict[str, str]) -> None:
    """What `make serve` does before starting: collect the hashed static files and apply any new migrations."""
    for command in (["collectstatic", "--no-input", "-v0"], ["migrate", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)  # noqa: S603


class Server:
    """`with Server(env, workers=3) as server:` — gunicorn started, answering, stopped on exit."""

    def __init__(self, env: dict[str, str], *, workers: int, timeout: int):
        self.env, self.workers, self.timeout = env, workers, timeout
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "config.wsgi", "--workers", str(self.workers), "--bind", f"{HOST}:{self.port}"]
        command += ["--timeout", str(self.timeout), "--graceful-timeout", "5"]
        self.process = subprocess.Popen(  # noqa: S603 — the venv's gunicorn, no shell
            command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self._wait_until_up()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start-up; its log: {self.log.name}")
            try:
                if Session(HOST, self.port).get("/accounts/login/").status == 200 and len(self.worker_pids()) == (
                    self.workers
                ):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within 60 s; its log: {self.log.name}")

    def session(self) -> Session:
        return Session(HOST, self.port)

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def reset_peak_memory(self) -> dict[int, float]:
        """Start each worker's peak-memory counter (VmHWM) afresh; returns each worker's resident memory (MB) now."""
        now = {}
        for pid in self.worker_pids():
            Path(f"/proc/{pid}/clear_refs").write_text("5")  # "5": reset the peak resident set size
            now[pid] = _status_mb(pid, "VmRSS")
        return now

    def peak_memory(self) -> dict[int, float]:
        """Each worker's peak resident memory (MB) since the last reset."""
        return {pid: _status_mb(pid, "VmHWM") for pid in self.worker_pids()}


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")
