"""An app server's worker moves what it loads once (Django, the views, the URL patterns, the message catalogue) out
of the garbage collector's way, so a full collection in the middle of a request walks only what requests made
(README, "Issue 18 on a fourth machine": 70–135 ms a full collection at province scale before, 6–12 ms after)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent.parent

PROBE = """
import gc
import config.wsgi
gc.collect()
print(gc.get_freeze_count(), len(gc.get_objects()))
"""


def test_the_loaded_app_is_frozen_out_of_full_collections(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DEBUG": "True", "APP_TEMP_DIR": str(tmp_path)}
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "-c", PROBE], cwd=BASE, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked = map(int, result.stdout.split()[-2:])
    assert frozen > 115_000  # the app as loaded, the views and URL patterns too (~110,000 objects without them)
    assert tracked < frozen / 20  # what a full collection still walks
