"""Errors go to Sentry only when SENTRY_DSN is set, and with nothing personal in them: no form body, cookie, query
string, user, header beyond a few plain ones, or variable of the code that failed.

The SDK patches Flask, logging and threads for the whole process it starts in, so each test runs the app in a process
of its own, with a transport that keeps what would have been sent (nothing leaves the machine).
"""

from __future__ import annotations

import contextvars
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bodymap.operations.sentry import scrub
from bodymap.settings import ConfigError, from_environment
from tests.helpers import GOOD_CALLBACK

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # a process of its own for each app

ROOT = Path(__file__).resolve().parent.parent
DSN = "https://0123456789abcdef@sentry.example/42"

CHILD = """
import json, sys
import sentry_sdk
from sentry_sdk.transport import Transport

sent = []


class Kept(Transport):
    def capture_envelope(self, envelope):
        sent.extend(item.payload.json for item in envelope.items if item.type == "event")


real_init = sentry_sdk.init
sentry_sdk.init = lambda **options: real_init(transport=Kept(options), **options)

from bodymap import create_app
from bodymap.callback import views
from bodymap.data import migrate

app = create_app({"SESSION_COOKIE_SECURE": False})
migrate.upgrade(app)


def broken_outbox(db_session, callback):
    raise RuntimeError("the outbox is broken")


views.outbox.queue_new_request = broken_outbox
client = app.test_client()
client.set_cookie("tracking", "cookie-Zebulon")
form = client.get("/callback").get_data(as_text=True)
import re
fields = dict(re.findall(r'name="(csrf_token|submission_key)"[^>]*value="([^"]+)"', form))
patient = json.loads(sys.argv[1])
response = client.post(
    "/callback?phone=5550187&name=Zebulon",
    data={**fields, **patient},
    headers={"Authorization": "Bearer Zebulon", "Referer": "https://x.example/?name=Zebulon", "HX-Request": "true",
             "X-Forwarded-For": "198.51.100.7"},
)
app.logger.error("A line at ERROR goes to Sentry as well")
sentry_sdk.flush()
print(json.dumps({"status": response.status_code, "sent": sent}))
"""


def run_app(tmp_path, **environment) -> dict:
    patient = {**GOOD_CALLBACK, "name": "Zebulon Quartermaine", "phone": "(503) 555-0187", "note": "Xylophone ache"}
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DATABASE_URL")}
    env.update(INSTANCE_PATH=str(tmp_path), SECRET_KEY="sentry-test", LOG_FORMAT="json", **environment)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(patient)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def test_an_error_reaches_sentry_with_no_personal_data(tmp_path):
    outcome = run_app(tmp_path, SENTRY_DSN=DSN)
    assert outcome["status"] == 500
    crash, logged = outcome["sent"]
    assert crash["exception"]["values"][-1]["type"] == "RuntimeError"
    assert crash["request"]["method"] == "POST"
    assert crash["request"]["url"].endswith("/callback")
    assert set(crash["request"]) == {"method", "url", "headers"}
    assert {name.lower() for name in crash["request"]["headers"]} <= {
        "host",
        "content-type",
        "content-length",
        "hx-request",
    }
    assert len(crash["tags"]["request_id"]) == 32
    assert "user" not in crash and "extra" not in crash
    assert logged["logentry"]["message"].startswith("A line at ERROR")
    for event in (crash, logged):
        text = json.dumps(event)
        for trace in ("Zebulon", "Quartermaine", "5550187", "555-0187", "Xylophone", "198.51.100", "cookie-"):
            assert trace not in text, trace
        frames = [frame for value in (event.get("exception") or {}).get("values", []) for frame in
                  value["stacktrace"]["frames"]]  # fmt: skip
        assert not [frame for frame in frames if "vars" in frame]


def test_without_a_dsn_nothing_is_sent(tmp_path):
    outcome = run_app(tmp_path)
    assert outcome == {"status": 500, "sent": []}


def test_scrub_leaves_a_safe_request_and_takes_out_the_rest():
    event = {
        "user": {"ip_address": "198.51.100.7"},
        "extra": {"form": "Zebulon"},
        "request": {
            "method": "POST",
            "url": "https://pain.example/callback?phone=5550187",
            "query_string": "phone=5550187",
            "data": {"name": "Zebulon"},
            "cookies": {"session": "x"},
            "env": {"REMOTE_ADDR": "198.51.100.7"},
            "headers": {"Cookie": "session=x", "Authorization": "Bearer y", "Accept-Language": "es", "Referer": "z"},
        },
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1", "data": {"params": "Zebulon"}}]},
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "f", "vars": {"name": "Zebulon"}}]}}]},
    }
    scrubbed = contextvars.Context().run(scrub, event)  # outside any request: no request id to tag
    assert scrubbed == {
        "request": {"method": "POST", "url": "https://pain.example/callback", "headers": {"Accept-Language": "es"}},
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1"}]},
        "threads": {"values": [{"stacktrace": {"frames": [{"function": "f"}]}}]},
    }


@pytest.mark.parametrize("dsn", ["sentry.example/42", "https://sentry.example/42", "https://key@sentry.example/"])
def test_a_sentry_dsn_that_is_not_one_stops_the_app(monkeypatch, tmp_path, dsn):
    monkeypatch.setenv("SENTRY_DSN", dsn)
    with pytest.raises(ConfigError, match="SENTRY_DSN"):
        from_environment(str(tmp_path))
