"""The benchmark's yardsticks are what they say: a bare Flask hello and a plain WSGI hello, never bodymap."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # nothing here reads the clinic's content

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"


@pytest.fixture(scope="module")
def bench():
    """scripts/bench.py, loaded as a module (with the scripts folder on the path, as when it is run)."""
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("bench", SCRIPTS / "bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench"] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(SCRIPTS))
        for name in ("bench", "loopback"):
            sys.modules.pop(name, None)


@pytest.mark.parametrize(
    "module,body",
    [("hello_flask", "hello from a bare Flask app\n"), ("hello_wsgi", "hello from a plain WSGI function\n")],
)
def test_the_baseline_servers_run_the_hello_apps_not_bodymap(bench, module, body):
    server = bench.start_hello(module, module, body)
    try:
        assert f"{module}:app" in server.process.args and "bodymap:create_app()" not in server.process.args
        assert server.port != 0 and server.base == f"http://127.0.0.1:{server.port}"
        status, headers, text = server.get("/")
        assert status == 200 and text == body
        assert "Content-Security-Policy" not in headers and "ETag" not in headers, "no bodymap header"
        assert body.strip() in server.answer, "the benchmark prints what the server answered"
    finally:
        server.stop()
    assert server.process.returncode is not None


def test_the_benchmark_refuses_a_server_that_is_not_the_hello_it_should_be(bench):
    with pytest.raises(RuntimeError, match="not the hello app"):
        bench.start_hello("hello Flask", "hello_wsgi", bench.HELLO_FLASK)


def test_every_server_gets_the_same_gunicorn_flags(bench):
    loopback = sys.modules["loopback"]  # the servers and load both benchmark scripts use
    assert bench.GUNICORN_FLAGS is loopback.GUNICORN_FLAGS
    assert loopback.GUNICORN_FLAGS[:2] == ["--config", str(ROOT / "gunicorn.conf.py")]  # production's, by path
    assert loopback.gunicorn_settings() == "workers 2, worker_class gthread, threads 8, keepalive 0"
    assert loopback.CONNECTIONS == 16
    assert bench.TARGETS == {
        "region panel": 1.3, "region page": 0.8, "home page": 1.3, "static asset": 0.9, "callback POST": 0.25
    }  # fmt: skip
    assert bench.P99_TARGET_MS == 20.0
    assert bench.P99_TARGETS == {"callback POST": 50.0}
