"""A database that hangs (accepts, then never answers) costs a quick 503, never a worker: every wait is bounded by the
app itself, a breaker stops asking for a while after a timeout, and the same workers serve again when it is back.

The database sits behind a loopback proxy that can hang (tests/proxies.py), in front of the suite's PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import make_url

from tests.helpers import GOOD_CALLBACK, STAFF_EMAIL, STAFF_PASSWORD, add_staff, parse, send_callback, sign_in, soup
from tests.proxies import HangingProxy

pytestmark = pytest.mark.one_clinic

CHECKOUT = Path(__file__).resolve().parent.parent


@pytest.fixture
def proxied(make_app, db_app, db_client):
    """An app on this run's PostgreSQL, reached through a proxy that can hang (its rows emptied afterwards)."""
    database_url = db_app.config["DATABASE_URL"]
    if not database_url.startswith("postgresql"):
        pytest.skip("a hung server is a network database's failure; SQLite's own wait is its busy timeout")
    url = make_url(database_url)
    proxy = HangingProxy((url.host, url.port))
    app = make_app(DATABASE_URL=url.set(port=proxy.port).render_as_string(hide_password=False))
    yield app, proxy
    proxy.close()
    app.extensions["bodymap.engine"].dispose()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.slow
def test_with_the_database_hung_staff_pages_and_the_form_answer_503_quickly_then_200_when_it_is_back(proxied):
    app, proxy = proxied
    add_staff(app)
    staff = app.test_client()
    assert sign_in(staff).status_code == 303
    patient = app.test_client()
    form = patient.get("/callback")
    proxy.hang()
    page, waited = timed(lambda: staff.get("/staff/callbacks"))
    assert page.status_code == 503 and waited < 5, waited  # the watchdog cut the wait at 3 s
    sent, waited = timed(lambda: send_callback(patient, form=form, name="Held Patient"))
    assert sent.status_code == 503 and waited < 1, waited  # the breaker: not tried again for a while
    assert sent.headers["Retry-After"] == "60"
    page = soup(sent)
    assert page.select_one('#callback-form [name="name"]')["value"] == "Held Patient"
    assert page.select_one('a[href^="tel:"]') is not None
    public, waited = timed(lambda: patient.get("/"))
    assert public.status_code == 200 and waited < 1, "public pages need no database"
    proxy.resume()
    time.sleep(app.config["DATABASE_PAUSE_SECONDS"] + 0.5)
    assert staff.get("/staff/callbacks").status_code == 200
    assert send_callback(patient, name="Back Patient").status_code == 303


@pytest.mark.slow
def test_gunicorn_with_the_database_hung_answers_every_request_within_5_seconds_and_loses_no_worker(proxied, tmp_path):
    app, proxy = proxied
    add_staff(app)
    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "CONTENT_PATH": app.config["CONTENT_PATH"],
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "hung-database-test",
        "SESSION_COOKIE_SECURE": "false",
        "RATELIMIT_ENABLED": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
    }
    log = tmp_path / "gunicorn.log"
    command = [str(Path(sys.executable).parent / "gunicorn"), "--config", str(CHECKOUT / "gunicorn.conf.py")]
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*command, "bodymap:create_app()"], env=environment, cwd=CHECKOUT, stdout=output, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base, server, log)
        staff = Browser(base)
        staff.sign_in()
        patients = [Browser(base) for _ in range(4)]
        for patient in patients:
            patient.open_form()
        before = set(worker_pids(server.pid))
        proxy.hang()

        def staff_page(_):
            return timed(lambda: staff.get("/staff/callbacks"))

        def callback(patient):
            return timed(lambda: patient.send_form())

        with ThreadPoolExecutor(max_workers=9) as pool:
            answers = [pool.submit(staff_page, n) for n in range(4)] + [pool.submit(callback, p) for p in patients]
            time.sleep(0.5)  # while the eight wait on the database
            health, health_wait = timed(lambda: get(base + "/healthz"))
            results = [answer.result(timeout=30) for answer in answers]
        print(f"healthz {health_wait:.2f} s; the eight: {sorted(round(w, 2) for _, w in results)}")
        assert health[0] == 200 and health_wait < 1, health_wait
        assert [status for (status, _), _ in results] == [503] * 8
        assert max(waited for _, waited in results) < 5, [round(w, 2) for _, w in results]
        proxy.resume()
        time.sleep(11)  # the breaker's pause (DATABASE_PAUSE_SECONDS) runs out
        assert staff.get("/staff/callbacks")[0] == 200
        assert all(patient.send_form(fresh=True)[0] == 303 for patient in patients)
        assert set(worker_pids(server.pid)) == before, "the same workers serve again"
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = log.read_text()
    assert "WORKER TIMEOUT" not in text and "Traceback" not in text, text[-3000:]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return sorted(int(pid) for pid in children.read_text().split())


def get(url: str, data: bytes | None = None, cookies: str = "") -> tuple[int, str, dict]:
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookies} if cookies else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, response.read().decode(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_until_serving(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if get(base + "/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not start: {log.read_text()[-2000:]}")


class Browser:
    """Cookies and forms, enough to sign in and send a callback over real HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.fields: dict[str, str] = {}

    def _request(self, path: str, form: dict | None = None) -> tuple[int, str]:
        import urllib.parse

        opener = urllib.request.build_opener(NoRedirects())
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base + path, data=data, headers={"Cookie": cookie} if cookie else {})
        try:
            response = opener.open(request, timeout=20)
            status, body, headers = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, body, headers = error.code, error.read().decode(), error.headers
        for header in headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, body

    def get(self, path: str) -> tuple[int, str]:
        return self._request(path)

    def sign_in(self) -> None:
        _, page = self._request("/staff/login")
        form = {**hidden_inputs(page), "email": STAFF_EMAIL, "password": STAFF_PASSWORD}
        assert self._request("/staff/login", form)[0] == 303

    def open_form(self) -> None:
        _, page = self._request("/callback")
        self.fields = hidden_inputs(page)

    def send_form(self, fresh: bool = False) -> tuple[int, str]:
        if fresh:
            self.open_form()
        return self._request("/callback", {**self.fields, **GOOD_CALLBACK})


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def hidden_inputs(page: str) -> dict[str, str]:
    return {field["name"]: field["value"] for field in parse(page).select('input[type="hidden"][name]')}


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_sqlite_database_has_no_pool_to_wait_on_and_still_starts(url):
    from sqlalchemy import text

    from bodymap.data.engine import make_engine

    with make_engine(url).connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
