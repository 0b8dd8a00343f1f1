"""Create .venv and install exactly requirements.lock (with the project's ".[dev]" bounds checked in the same
resolution): with uv when it can be had, else with pip. Standard library only: it runs before any venv exists.

    python3 scripts/make_venv.py [VENV]        (the Makefile's `.venv/.installed` rule)

uv makes the environment in well under a second and installs the ~70 locked packages in parallel; `python -m venv`
alone (ensurepip) takes 5-30 s on a busy machine, and pip installs one package after another. uv is found on PATH,
else taken from the venv (it is in the lock), else installed once with pip into a scratch directory at the version
requirements.lock pins. uv ignores pip's configuration, so the package indexes pip is configured with (pip.conf, the
PIP_* variables: index-url, extra-index-url, find-links) are handed to uv explicitly, and uv picks a locked version
from whichever of them has it, as pip does. Where uv cannot be installed at all, pip does the job as before.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
LOCK = BASE / "requirements.lock"


def run(args, **kwargs):
    """A command of fixed arguments (no shell), stopping the install where it fails unless check=False."""
    kwargs.setdefault("check", True)
    return subprocess.run([str(a) for a in args], **kwargs)  # noqa: S603


def say(text):
    print(f"make_venv: {text}", flush=True)


def locked_version(name):
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        if line.lower().startswith(f"{name.lower()}=="):
            return line.split("==", 1)[1].strip()
    return None


def pip_settings():
    """pip's effective index settings ({key: value}), the environment's PIP_* over the configuration files."""
    try:
        out = run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        out = ""
    found = {}
    for line in out.splitlines():
        scope_key, _, value = line.partition("=")
        key = scope_key.rsplit(".", 1)[-1]
        value = value.strip().strip("'\"")
        if key in ("index-url", "extra-index-url", "find-links") and (
            scope_key.startswith(":env:") or key not in found
        ):
            found[key] = value
    for key in ("index-url", "extra-index-url", "find-links"):
        env = os.environ.get("PIP_" + key.upper().replace("-", "_"))
        if env:
            found[key] = env
    return found


def uv_index_args():
    settings = pip_settings()
    args = ["--index-strategy", "unsafe-best-match"]  # like pip: a version from any index that has it
    if settings.get("index-url"):
        args += ["--index-url", settings["index-url"]]
    for url in settings.get("extra-index-url", "").split():
        args += ["--extra-index-url", url]
    for place in settings.get("find-links", "").split():
        args += ["--find-links", place]
    return args


def find_uv(venv, scratch):
    for candidate in (shutil.which("uv"), venv / "bin" / "uv"):
        if candidate and Path(candidate).exists():
            return str(candidate)
    version = locked_version("uv")
    if not version:
        return None
    say(f"installing uv {version} with pip (once; later installs use the copy in the venv)")
    pip = [sys.executable, "-m", "pip", "install", "-qq", "--root-user-action", "ignore"]
    done = run([*pip, "--target", scratch, f"uv=={version}"], check=False)
    uv = Path(scratch) / "bin" / "uv"
    return str(uv) if done.returncode == 0 and uv.exists() else None


def with_uv(uv, venv):
    if not (venv / "bin" / "python").exists():
        run([uv, "venv", "--quiet", "--seed", "--python", sys.executable, "--no-python-downloads", venv])
    python = venv / "bin" / "python"
    run([uv, "pip", "install", "--quiet", "--python", python, *uv_index_args(), "-r", LOCK, ".[dev]"], cwd=BASE)


def with_pip(venv):
    if not (venv / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", venv])
        run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", "-r", LOCK, ".[dev]"], cwd=BASE)


def main():
    if sys.version_info < (3, 10):  # noqa: UP036 (runs on the machine's python3, before any venv)
        sys.exit(f"Python 3.10 or newer is needed (this is {sys.version.split()[0]}): make PYTHON=python3.12 …")
    venv = BASE / (sys.argv[1] if len(sys.argv) > 1 else ".venv")
    with tempfile.TemporaryDirectory(prefix="uv-bootstrap-") as scratch:
        uv = None if os.environ.get("NO_UV") else find_uv(venv, scratch)
        if uv:
            with_uv(uv, venv)
            return
    say("uv is not available; installing with pip (slower)")
    with_pip(venv)


if __name__ == "__main__":
    main()
