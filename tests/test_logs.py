"""Log lines an operator can read by machine: one JSON object a line (or plain text at a terminal), one access line
per request with its request id, the client's network and no query string, and never a patient's details."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from bodymap.data.models import Notification, utcnow
from bodymap.operations import logs
from bodymap.operations.access import network
from bodymap.settings import ConfigError, from_environment
from bodymap.web.caching import stored_responses
from tests.helpers import GOOD_CALLBACK, HTMX, callback_request, flask_shell, hidden_fields

pytestmark = pytest.mark.one_clinic  # nothing here reads the clinic's content

# A patient no log line may ever name: each value is searched for in every line.
PATIENT = {"name": "Zebulon Quartermaine", "phone": "(503) 555-0187", "note": "Xylophone trampoline ache."}
DOWN_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:9/test"  # nothing listens on port 9
PATIENT_TRACES = ("Zebulon", "Quartermaine", "555-0187", "5550187", "Xylophone", "trampoline", "areas-0-pain")


def record(message="hello %s", args=("world",), **extra) -> logging.LogRecord:
    made = logging.LogRecord("bodymap", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_json_line_holds_the_time_level_logger_message_and_the_fields_given():
    line = json.loads(logs.JsonLines().format(record(request_id="abc123", status=200)))
    assert line["level"] == "WARNING" and line["logger"] == "bodymap" and line["message"] == "hello world"
    assert line["time"].endswith("Z") and line["process"] > 0
    assert line["request_id"] == "abc123" and line["status"] == 200


def test_a_json_line_is_one_ascii_line_whatever_the_message_and_the_exception_holds():
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        failed = record("café\n{}\u2028%s", ("\r\n",), exc_info=sys.exc_info())
    text = logs.JsonLines().format(failed)
    assert text.isascii() and len(text.splitlines()) == 1
    line = json.loads(text)
    assert line["message"] == "café\n{}\u2028\r\n"
    assert "ValueError: bad" in line["exception"] and "Traceback" in line["exception"]


def test_a_text_line_escapes_control_characters_so_a_forged_path_starts_no_line():
    text = logs.Text().format(record("GET %s 404", ("/x\nFAKE ERROR line",), request_id="abc123"))
    assert len(text.splitlines()) == 1
    assert text.endswith("GET /x\\x0aFAKE ERROR line 404 [abc123]")
    banner = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, "\x1b[33mPress CTRL+C to quit\x1b[0m", (), None)
    assert logs.Text().format(banner).endswith(" INFO werkzeug: \x1b[33mPress CTRL+C to quit\x1b[0m")


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("203.0.113.77", "203.0.113.0"),
        ("2001:db8:aaaa:bbbb::1", "2001:db8:aaaa::"),
        ("::ffff:198.51.100.9", "198.51.100.0"),
        ("127.0.0.1", "127.0.0.0"),
        ("", "-"),
        ("not an address", "-"),
    ],
)
def test_a_client_is_logged_by_its_network_never_its_address(address, shown):
    assert network(address) == shown


def access_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bodymap.access"]


def test_each_request_gets_one_access_line_with_its_id_and_no_query_string(make_app, caplog):
    client = make_app().test_client()
    caplog.set_level(logging.INFO, logger="bodymap.access")
    response = client.get("/pain/knee?side=left&utm_source=Zebulon", environ_base={"REMOTE_ADDR": "203.0.113.77"})
    response.close()
    [line] = access_lines(caplog)
    assert line.request_id == response.headers["X-Request-ID"]
    assert len(line.request_id) == 32 and int(line.request_id, 16) >= 0
    assert (line.method, line.path, line.status, line.client) == ("GET", "/pain/knee", 200, "203.0.113.0")
    assert line.size == len(response.get_data()) and line.duration_ms >= 0
    assert "Zebulon" not in logs.JsonLines().format(line) and "utm_source" not in logs.JsonLines().format(line)


def test_pages_the_store_serves_without_flask_carry_an_id_and_are_logged(make_app, caplog):
    app = make_app()
    client = app.test_client()
    caplog.set_level(logging.INFO, logger="bodymap.access")
    ids = []
    for _ in range(3):
        with client.get("/") as response:
            ids.append(response.headers["X-Request-ID"])
    assert any(key[3] == "/" for key in stored_responses(app).entries)
    assert len(set(ids)) == 3
    assert [r.request_id for r in access_lines(caplog)] == ids
    assert {(r.path, r.status, r.route) for r in access_lines(caplog)} == {("/", 200, "public.index")}


def test_a_request_id_from_a_trusted_proxy_is_kept_when_it_looks_like_an_id(make_app):
    behind_proxy = make_app(TRUSTED_PROXIES=1).test_client()
    assert behind_proxy.get("/healthz", headers={"X-Request-ID": "nginx-4f2a.9_b"}).headers["X-Request-ID"] == (
        "nginx-4f2a.9_b"
    )
    for odd in ("a b", "x" * 129, "<script>", "id\u00e9", ""):
        made = behind_proxy.get("/healthz", headers={"X-Request-ID": odd}).headers["X-Request-ID"]
        assert made != odd and len(made) == 32
    direct = make_app().test_client()
    assert direct.get("/healthz", headers={"X-Request-ID": "nginx-4f2a"}).headers["X-Request-ID"] != "nginx-4f2a"


def test_every_response_has_one_request_id_errors_and_refused_hosts_included(make_app):
    client = make_app().test_client()
    for response in (
        client.get("/no/such/page"),
        client.post("/callback", data={}),
        client.get("/", headers={"Host": "evil.example"}),
        client.get("/static/no-such-file.css"),
    ):
        assert len(response.headers.getlist("X-Request-ID")) == 1, response.status_code


def test_a_callback_leaves_no_patient_detail_in_any_log_line(db_client, make_app, caplog):
    caplog.set_level(logging.DEBUG)
    fields = {**hidden_fields(db_client.get("/callback")), **GOOD_CALLBACK, **PATIENT, "areas-0-pain": "7"}
    db_client.post("/callback", data={**fields, "phone": "555"}, headers=HTMX).close()  # refused: kept, not logged
    db_client.post("/callback", data=fields, headers=HTMX).close()
    db_client.post("/callback", data=fields).close()  # a repeat
    down = make_app(DATABASE_URL=DOWN_DATABASE, migrated=False).test_client()  # and once with the database down
    fields = {**hidden_fields(down.get("/callback")), **GOOD_CALLBACK, **PATIENT, "areas-0-pain": "7"}
    with down.post("/callback", data=fields, headers=HTMX) as response:
        assert response.status_code == 503
    lines = [logs.JsonLines().format(r) for r in caplog.records] + [logs.Text().format(r) for r in caplog.records]
    assert any("The database did not answer" in line for line in lines)
    assert [r.status for r in caplog.records if r.name == "bodymap.access" and r.method == "POST"] == [
        422,
        201,
        303,
        503,
    ]
    assert [line for line in lines if any(trace in line for trace in PATIENT_TRACES)] == []


def test_log_format_is_json_or_text(monkeypatch, tmp_path):
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "json"
    monkeypatch.delenv("LOG_FORMAT")
    assert from_environment(str(tmp_path))["LOG_FORMAT"] == "text", "make run's terminal reads plain lines"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match="LOG_FORMAT must be json or text"):
        from_environment(str(tmp_path))


CONFIGURED_TWICE = """
import logging, warnings
from sqlalchemy.exc import SAWarning
from bodymap.operations import logs

logs.configure("json")
logs.configure("text")
print([handler.name for handler in logging.getLogger().handlers])
logging.getLogger("werkzeug").info('127.0.0.1 - - [date] "%s" %s %s', "GET /?q=1 HTTP/1.1", "200", "-")
logging.getLogger("werkzeug").info(" * Running on http://127.0.0.1:5000")
warnings.warn("a warning SQLAlchemy might give", SAWarning, stacklevel=1)
"""


@pytest.mark.slow
def test_configured_once_warnings_become_lines_and_the_dev_servers_request_lines_stay_out():
    result = subprocess.run([sys.executable, "-c", CONFIGURED_TWICE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['bodymap']"
    banner, warned = (json.loads(line) for line in result.stderr.splitlines())
    assert banner["message"] == " * Running on http://127.0.0.1:5000"
    assert warned["logger"] == "py.warnings" and "SAWarning: a warning SQLAlchemy might give" in warned["message"]


def test_logging_a_process_has_set_up_already_is_left_as_it_is(make_app):
    handlers = logging.getLogger().handlers[:]  # pytest's, here
    make_app(TESTING=False)
    assert logging.getLogger().handlers == handlers
    assert not any(handler.name == logs.HANDLER for handler in logging.getLogger().handlers)


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_notify_worker_writes_its_lines_in_the_format_asked(tmp_path, log_format):
    database = tmp_path / "bodymap.sqlite3"
    assert flask_shell(tmp_path, "db", "upgrade").returncode == 0
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    with Session(create_engine(f"sqlite:///{database}")) as session, session.begin():
        waiting = callback_request(name=PATIENT["name"], note=PATIENT["note"])
        session.add(waiting)
        session.flush()
        session.add(Notification(kind="request", key=f"request:{waiting.id}", callback_id=waiting.id, due_at=utcnow()))
    mail = {"SMTP_URL": "smtp://127.0.0.1:9", "DESK_EMAIL": "desk@clinic.example", "PUBLIC_URL": "https://c.example"}
    environment = {**mail, "LOG_FORMAT": log_format} if log_format == "json" else mail  # text: the default
    result = flask_shell(tmp_path, "notify", "run", "--once", **environment)
    assert result.returncode == 1 and "failed 1" in result.stdout
    lines = result.stderr.splitlines()
    assert lines and not [line for line in lines if any(trace in line for trace in PATIENT_TRACES)]
    if log_format == "json":
        parsed = [json.loads(line) for line in lines]
        assert {(p["level"], p["logger"]) for p in parsed} >= {("WARNING", "bodymap")}
        assert any(p["message"].startswith("Could not send notification") for p in parsed)
    else:
        assert any(" WARNING bodymap: Could not send notification" in line for line in lines)
        assert not [line for line in lines if line.startswith("{")]
