"""A gunicorn worker sets what it has read aside from the garbage collector, once it has built the app: a full
collection would otherwise walk the content of every language and the code (over 100,000 objects, about 100 ms)
inside some request, and that request's answer would wait for it. It is gunicorn.conf.py's `post_worker_init`, so
an app built anywhere else (a test, a command) leaves the collector as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
BUILD = """
import gc, runpy, sys
from bodymap import create_app
app = create_app()
built = gc.get_freeze_count()
if sys.argv[1] == "worker":
    runpy.run_path(sys.argv[2])["post_worker_init"](None)
print(built, gc.get_freeze_count())
"""


def frozen(tmp_path, mode: str) -> tuple[int, int]:
    """How many objects were set aside once the app was built, and after the worker's hook (if it ran)."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/bodymap.sqlite3",
        "SECRET_KEY": "serving-process-test",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    command = [sys.executable, "-c", BUILD, mode, str(ROOT / "gunicorn.conf.py")]
    done = subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    built, after = done.stdout.split()[-2:]
    return int(built), int(after)


def test_a_gunicorn_worker_sets_what_it_has_read_aside_from_the_garbage_collector(tmp_path):
    built, after = frozen(tmp_path, "worker")
    assert built == 0 and after > 50_000


def test_building_the_app_elsewhere_leaves_the_garbage_collector_as_it_is(tmp_path):
    assert frozen(tmp_path, "elsewhere") == (0, 0)
