"""A process that serves sets what it has read aside from the garbage collector, once it is built: a full collection
would otherwise walk the content of every language and the code (over 100,000 objects, about 100 ms) inside some
request, and that request's answer would wait for it. An app built for tests does not, as tests build hundreds."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]

BUILD = """
import gc, sys
from bodymap import create_app
app = create_app({"TESTING": True} if sys.argv[1] == "testing" else None)
print(gc.get_freeze_count())
"""


def frozen(tmp_path, mode: str) -> int:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/bodymap.sqlite3",
        "SECRET_KEY": "serving-process-test",
    }
    done = subprocess.run(
        [sys.executable, "-c", BUILD, mode], env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.split()[-1])


def test_a_serving_app_sets_what_it_has_read_aside_from_the_garbage_collector(tmp_path):
    assert frozen(tmp_path, "serving") > 50_000


def test_an_app_built_for_tests_leaves_the_garbage_collector_as_it_is(tmp_path):
    assert frozen(tmp_path, "testing") == 0
