"""How long a newcomer waits: seconds from `make run` on a fresh clone to the first page, cold and warm.

    python3 scripts/newcomer_time.py [--repo PATH] [--port N] [--only cold|warm]     (make newcomer-time)

Clones the repository (its committed HEAD) into a temporary directory, runs `make run` there with the package
caches (UV_CACHE_DIR, PIP_CACHE_DIR) pointing at an empty temporary directory, polls http://127.0.0.1:PORT/ until a
page answers, prints the seconds and stops the server; then does the same in a second fresh clone with the caches
the first run filled (warm). Nothing outside the temporary directory is touched: no venv, database or cache of the
checkout is used. The machine's load average is printed beside each time, since a busy machine is slower.
Standard library only.
"""

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
# Variables of the checkout that must not leak into the newcomer's clone.
DROP = ("DATABASE_URL", "MIGRATE_DATABASE_URL", "VIRTUAL_ENV", "DJANGO_SETTINGS_MODULE", "UV_CACHE_DIR")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (http://127.0.0.1 only)
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def loadavg():
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def one_run(label, repo, workdir, cache, port, timeout):
    clone = workdir / f"clone-{label}"
    subprocess.run(["git", "clone", "--quiet", str(repo), str(clone)], check=True)  # noqa: S603, S607
    env = {k: v for k, v in os.environ.items() if k not in DROP and not k.startswith("MAKE")}
    env.update(UV_CACHE_DIR=str(cache / "uv"), PIP_CACHE_DIR=str(cache / "pip"))
    log = (workdir / f"make-run-{label}.log").open("w")
    load_before = loadavg()
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    server = subprocess.Popen(  # noqa: S603
        ["make", "run", f"PORT={port}"],  # noqa: S607
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
        start_new_session=True,
    )
    steps = []  # (seconds, the command make started): where the time went

    def copy_output():
        for line in server.stdout:
            at = time.monotonic() - started
            log.write(f"[{at:6.1f}] {line}")
            if line.startswith((".venv/bin/python manage.py", "python3 scripts/", "nice ")):
                steps.append((at, line.strip().rstrip("\\").strip()))

    reader = threading.Thread(target=copy_output, daemon=True)
    reader.start()
    url = f"http://127.0.0.1:{port}/"
    seconds = None
    try:
        while time.monotonic() - started < timeout:
            if server.poll() is not None:
                break
            if answers(url):
                seconds = time.monotonic() - started
                break
            time.sleep(0.25)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)  # make, manage.py and runserver's child: the session started here
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        reader.join(timeout=5)
        log.close()
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU of the steps make finished before serving (install, database, demo): a figure a busy machine moves less.
    cpu_seconds = cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    tail = (workdir / f"make-run-{label}.log").read_text(errors="replace").splitlines()[-15:]
    if seconds is None:
        print(f"{label}: no page within {timeout} s (make exited {server.returncode}); the end of its output:")
        print("\n".join("    " + line for line in tail))
        return None
    print(
        f"{label:<5} {seconds:6.1f} s to the first page of {url}   (load average before: {load_before}; "
        f"CPU of the finished steps {cpu_seconds:.1f} s)"
    )
    for (at, command), (until, _next) in zip(steps, [*steps[1:], (seconds, "")], strict=False):
        print(f"      {max(until - at, 0):6.1f} s  {command[:90]}")
    sys.stdout.flush()
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(BASE), help="repository to clone (default: this checkout's HEAD)")
    parser.add_argument("--port", type=int, default=0, help="port for runserver (default: a free one)")
    parser.add_argument("--only", choices=("cold", "warm"), help="one run only (warm still needs a cold run first)")
    parser.add_argument("--timeout", type=int, default=900, help="seconds to wait for a page (default 900)")
    args = parser.parse_args()
    port = args.port or free_port()
    with tempfile.TemporaryDirectory(prefix="newcomer-") as tmp:
        workdir = Path(tmp)
        cache = workdir / "cache"  # empty: the cold run fills it, the warm run reuses it
        cache.mkdir()
        results = {}
        for label in ("cold", "warm"):
            seconds = one_run(label, args.repo, workdir, cache, port, args.timeout)
            if seconds is None:
                sys.exit(1)
            results[label] = seconds
            if args.only == label:
                break
        print("target: under 60 s each; " + ", ".join(f"{k} {v:.1f} s" for k, v in results.items()))


if __name__ == "__main__":
    main()
