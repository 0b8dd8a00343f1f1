"""The locked dependencies: every one pinned within pyproject's bounds, the tests run on exactly those versions,
and the audit (`make audit`: pip-audit on requirements.lock, --strict) fails when one of them has an advisory."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

BASE = Path(settings.BASE_DIR)
LOCK = BASE / "requirements.lock"


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, pinned = line.partition("==")
            assert sep, f"not an exact pin in requirements.lock: {line}"
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((BASE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(r) for r in (*project["dependencies"], *project["optional-dependencies"]["dev"])]


def test_every_declared_dependency_is_locked_within_its_bounds():
    pins = locked()
    for requirement in declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} ∉ {requirement}"


def test_the_tests_run_on_the_locked_versions():
    """What is audited is what runs: a package upgraded by hand without `make lock` shows here."""
    drift = {name: (pinned, version(name)) for name, pinned in locked().items() if version(name) != pinned}
    assert not drift, f"installed versions differ from requirements.lock (run make, or make lock): {drift}"


class FakeAdvisories(BaseHTTPRequestHandler):
    """An OSV-style advisory service on loopback: Django at the locked version has one advisory, nothing else."""

    def do_POST(self):
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        vulns = []
        if query["package"]["name"] == "django" and query["version"] == self.server.django_version:
            vulns = (
                [
                    {
                        "id": "PYSEC-TEST-1",
                        "summary": "SQL injection in a test advisory",
                        "affected": [
                            {
                                "package": {"name": "django", "ecosystem": "PyPI"},
                                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "99.0"}]}],
                            }
                        ],
                    }
                ]
                if self.server.advisory
                else []
            )
        body = json.dumps({"vulns": vulns} if vulns else {}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def advisories():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeAdvisories)
    server.django_version = locked()["django"]
    server.advisory = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def audit(server, cache: Path) -> subprocess.CompletedProcess:
    """`make audit`'s command, pointed at the loopback service instead of PyPI."""
    url = f"http://127.0.0.1:{server.server_address[1]}/v1/query"
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        "-r",
        str(LOCK),
        "--no-deps",
        "--disable-pip",
        "--strict",
        "--progress-spinner",
        "off",
        "-s",
        "osv",
        "--osv-url",
        url,
        "--cache-dir",
        str(cache),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)  # noqa: S603


def test_the_audit_fails_on_a_locked_package_with_an_advisory(advisories, tmp_path):
    result = audit(advisories, tmp_path / "with")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PYSEC-TEST-1" in result.stdout and "django" in result.stdout


def test_the_audit_passes_when_no_locked_package_has_one(advisories, tmp_path):
    advisories.advisory = False
    result = audit(advisories, tmp_path / "without")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No known vulnerabilities found" in result.stdout + result.stderr


def test_make_audit_audits_the_lock_strictly():
    makefile = (BASE / "Makefile").read_text(encoding="utf-8")
    assert "pip-audit -r requirements.lock --no-deps --disable-pip --strict" in makefile
    assert "make audit" in (BASE / ".ci" / "run").read_text(encoding="utf-8")
