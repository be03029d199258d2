"""Stand-ins for the two schedulers' APIs on loopback, and clinic files that name them.

Each fake is a real HTTP server on 127.0.0.1 that answers exactly what the scheduler's documentation describes and
refuses anything else (another path, method, header, parameter or credential), so a request the app builds wrong
fails a test instead of passing against a lenient stand-in:

- `FakeCliniko`: `GET /v1/businesses/{b}/practitioners/{p}/appointment_types/{t}/available_times?from=&to=` with
  HTTP Basic (the key as user name, no password), `Accept: application/json` and a `User-Agent` naming an app and a
  contact email; `from`/`to` are dates at most 7 days apart, read as whole days in the practitioner's zone.
  (Cliniko's API reference, "Available Times", and its guide to sharding for the key's shard.)
- `FakeCalcom`: `GET /v2/slots?eventTypeId=&start=&end=&timeZone=` with `cal-api-version: 2024-09-04`, and
  `Authorization: Bearer <key>` only when the event type is not public; days are UTC days, the slots listed under
  their day in `timeZone` with that zone's offset. (Cal.com's API v2 reference, "Get available time slots".)

Each counts and keeps what it was asked (`seen`) and can be told to fail: `fail(401)`, `fail("hang")` (accept and
never answer), `fail("malformed")` (not JSON), `fail("nonsense")` (JSON of another shape), `fail("slow-drip")`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import re
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
CLINIKO_KEY = "MS0xLWl4SzYYYYdtR3V2HNOTAREALKEYwvNHI2d2xHHHH-us1"  # made up, in the shape of a sharded key
CALCOM_KEY = "cal_live_NOTAREALKEY0123456789abcdef"
CLINIKO_IDS = {"business_id": "1201", "appointment_type_id": "514810976034364376", "practitioner_ids": ["31", "32"]}
CALCOM_EVENT_TYPE = "7232498"
ZONE = "America/Los_Angeles"


@dataclass
class Seen:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"


def reply(status: int, data) -> Reply:
    return Reply(status, json.dumps(data).encode())


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A connection the app closed early (its deadline passed) is no fault of the stand-in's; anything else is."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeScheduler:
    """A loopback HTTP server that answers like a scheduler's API; a context manager (started on enter)."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self.failure: int | str | None = None
        self.delay = 0.0  # seconds to think before answering
        self.lock = threading.Lock()
        self.released = threading.Event()  # set when stopping: every hung request lets go
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        # A short poll: shutdown waits for the next one, and every test with a fake ends with it.
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def calls(self) -> int:
        with self.lock:
            return len(self.seen)

    def fail(self, how: int | str | None) -> None:
        """Answer every later request with this status code, or "hang", "slow-drip", "malformed", "nonsense"."""
        self.failure = how

    def __enter__(self) -> FakeScheduler:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop listening (later connections are refused) and let go of every request still held."""
        if self.thread.is_alive():
            self.released.set()
            self.server.shutdown()
            self.server.server_close()
            self.thread.join(timeout=5)

    def answer(self, request: Seen) -> Reply:  # pragma: no cover - each fake answers
        raise NotImplementedError

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        # The app may give up on a request (its deadline, or another request of the same look failed).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer_to(handler)

    def _answer_to(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        request = Seen(
            handler.command, parts.path, parse_qs(parts.query, keep_blank_values=True), dict(handler.headers)
        )
        with self.lock:
            self.seen.append(request)
        if self.delay and self.released.wait(self.delay):
            return
        found = self.answer(request)
        if found.status == 200 and self.failure is not None:
            found = self._failure(self.failure)
        if found is None:  # hung: accepted, and never a word until the fake stops
            self.released.wait(30)
            return
        if isinstance(found, tuple):  # a slow drip: the headers, then a byte every half second
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            for byte in found[0]:
                if self.released.wait(0.5):
                    return
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            return
        handler.send_response(found.status)
        handler.send_header("Content-Type", found.content_type)
        handler.send_header("Content-Length", str(len(found.body)))
        handler.end_headers()
        handler.wfile.write(found.body)

    def _failure(self, how: int | str):
        if how == "hang":
            return None
        if how == "slow-drip":
            return (b'{"available_times": [], "status": "success", "data": {}}',)
        if how == "malformed":
            return Reply(200, b'{"available_times": [{"appointment_start": "2026-')
        if how == "nonsense":
            return reply(200, {"times": "soon", "status": "maybe"})
        return reply(int(how), {"message": f"stand-in failure {how}"})

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake._respond(self)

            def _refuse(self) -> None:
                fake._respond(self)  # recorded, then refused by the fake's checks (only GET is documented)

            do_POST = do_PUT = do_DELETE = do_HEAD = _refuse  # noqa: N815

            def log_message(self, format, *args) -> None:  # noqa: A002 - quiet in the test output
                pass

        return Handler


def _dates(query: dict[str, list[str]], *names: str) -> list[datetime.date] | None:
    try:
        return [
            datetime.date.fromisoformat(query[name][0])
            for name in names
            if re.fullmatch(r"\d{4}-\d\d-\d\d", query[name][0])
        ]
    except (KeyError, ValueError):
        return None


def _exact_params(query: dict[str, list[str]], required: set[str], optional: set[str] = frozenset()) -> bool:
    return required <= set(query) <= required | optional and all(len(values) == 1 for values in query.values())


class FakeCliniko(FakeScheduler):
    """Cliniko's available times for one business, appointment type and its practitioners."""

    def __init__(self, key: str = CLINIKO_KEY, zone: str = ZONE, ids: dict = CLINIKO_IDS) -> None:
        super().__init__()
        self.key = key
        self.zone = ZoneInfo(zone)
        self.ids = ids
        self.times: dict[str, list[datetime.datetime]] = {p: [] for p in ids["practitioner_ids"]}

    def offer(self, *times: datetime.datetime, practitioner: str | None = None) -> None:
        """Offer these times (aware datetimes) as one practitioner's (by default the first's)."""
        self.times[practitioner or self.ids["practitioner_ids"][0]] = sorted(t.astimezone(UTC) for t in times)

    def answer(self, request: Seen) -> Reply:
        match = re.fullmatch(
            r"/v1/businesses/(\d+)/practitioners/(\d+)/appointment_types/(\d+)/available_times", request.path
        )
        if request.method != "GET" or match is None:
            return reply(404, {"errors": "not found"})
        expected = "Basic " + base64.b64encode(f"{self.key}:".encode()).decode()
        if request.headers.get("Authorization") != expected:
            # Echoes what it was sent, as a careless server might: the app must never pass it on.
            return reply(401, {"message": "unauthorized", "received": request.headers.get("Authorization")})
        if request.headers.get("Accept") != "application/json":
            return reply(406, {"errors": "JSON only: send Accept: application/json"})
        if not re.fullmatch(r"\S.*\s\([^()\s]+@[^()\s]+\.[^()\s]+\)", request.headers.get("User-Agent", "")):
            return reply(403, {"errors": "name your app and a contact email in the User-Agent"})
        business, practitioner, kind = match.groups()
        if business != self.ids["business_id"] or kind != self.ids["appointment_type_id"]:
            return reply(404, {"errors": "not found"})
        if practitioner not in self.times:
            return reply(404, {"errors": "not found"})
        if not _exact_params(request.query, {"from", "to"}, {"page", "per_page"}):
            return reply(422, {"errors": {"base": ["from and to are required, once each; nothing else"]}})
        dates = _dates(request.query, "from", "to")
        if not dates or len(dates) != 2:
            return reply(422, {"errors": {"from": ["must be a date, YYYY-MM-DD"]}})
        first, last = dates
        if last < first or (last - first).days > 7:
            return reply(422, {"errors": {"to": ["cannot be more than 7 days after from"]}})
        times = [t for t in self.times[practitioner] if first <= t.astimezone(self.zone).date() <= last]
        path = f"{request.path}?from={first}&to={last}&page=1"
        return reply(
            200,
            {
                "available_times": [{"appointment_start": t.strftime("%Y-%m-%dT%H:%M:%SZ")} for t in times],
                "total_entries": len(times),
                "links": {"self": f"http://127.0.0.1:{self.port}{path}"},
            },
        )


class FakeCalcom(FakeScheduler):
    """Cal.com API v2's slots for one event type; `key=None` is a public event type (no key needed)."""

    def __init__(self, key: str | None = None, event_type_id: str = CALCOM_EVENT_TYPE) -> None:
        super().__init__()
        self.key = key
        self.event_type_id = event_type_id
        self.slots: list[datetime.datetime] = []

    def offer(self, *times: datetime.datetime) -> None:
        self.slots = sorted(t.astimezone(UTC) for t in times)

    def answer(self, request: Seen) -> Reply:
        if request.method != "GET" or request.path != "/v2/slots":
            return reply(404, {"status": "error", "error": {"code": "NotFoundException"}})
        if request.headers.get("cal-api-version") != "2024-09-04":
            return reply(400, {"status": "error", "error": {"message": "cal-api-version must be 2024-09-04"}})
        auth = request.headers.get("Authorization")
        if (self.key and auth != f"Bearer {self.key}") or (not self.key and auth is not None):
            return reply(401, {"status": "error", "error": {"message": "invalid API key", "received": auth}})
        if not _exact_params(request.query, {"eventTypeId", "start", "end", "timeZone"}):
            return reply(400, {"status": "error", "error": {"message": "eventTypeId, start, end and timeZone, once"}})
        if request.query["eventTypeId"][0] != self.event_type_id:
            return reply(404, {"status": "error", "error": {"message": "event type not found"}})
        dates = _dates(request.query, "start", "end")
        try:
            zone = ZoneInfo(request.query["timeZone"][0])
        except (ZoneInfoNotFoundError, ValueError):
            return reply(400, {"status": "error", "error": {"message": "timeZone must be an IANA time zone"}})
        if not dates or len(dates) != 2 or dates[1] < dates[0]:
            return reply(400, {"status": "error", "error": {"message": "start and end must be dates, start first"}})
        start = datetime.datetime.combine(dates[0], datetime.time(), UTC)
        end = datetime.datetime.combine(dates[1], datetime.time(23, 59, 59), UTC)
        days: dict[str, list[dict]] = {}
        for slot in self.slots:
            if start <= slot <= end:
                local = slot.astimezone(zone)
                days.setdefault(local.date().isoformat(), []).append(
                    {"start": local.isoformat(timespec="milliseconds")}
                )
        return reply(200, {"status": "success", "data": days})


def clinic_with_scheduler(
    clinic_file: Path, folder: Path, scheduler: dict, *, timezone: str = ZONE, booking_url: str | None = None
) -> Path:
    """A copy of `clinic_file` whose clinic names `scheduler` and `timezone`, and a booking page when it has none
    (`booking_url` replaces the clinic's own)."""
    lines = clinic_file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("clinic:\n")
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1] not in (" ", "\n"))
    block = lines[start + 1 : end]
    own_booking = next((line for line in block if line.startswith("  booking_url:")), "")
    keep_booking = booking_url is None and own_booking.split(":", 1)[1].strip() not in ("", "null")
    block = [
        line
        for line in block
        if not line.startswith("  timezone:") and not (line.startswith("  booking_url:") and not keep_booking)
    ]
    added = [f"  timezone: {timezone}\n"]
    if not keep_booking:
        added.append(f"  booking_url: {booking_url or 'https://book.clinic.example/new-patient'}\n")
    added.append("  scheduler:\n")
    added += [f"    {name}: {json.dumps(value)}\n" for name, value in scheduler.items()]
    path = folder / "regions.yaml"
    path.write_text("".join(lines[: start + 1] + added + block + lines[end:]), encoding="utf-8")
    return path


def cliniko_block(**changes) -> dict:
    return {"provider": "cliniko", **CLINIKO_IDS, "contact_email": "it@clinic.example", **changes}


def calcom_block(**changes) -> dict:
    return {"provider": "calcom", "event_type_id": CALCOM_EVENT_TYPE, **changes}


NOW = datetime.datetime(2026, 12, 7, 16, 0, tzinfo=UTC)  # Monday, December 7, 2026, 8:00 AM in Los Angeles


def settings_for(fake: FakeScheduler) -> dict:
    """The settings that point the app at `fake`."""
    if isinstance(fake, FakeCliniko):
        return {"CLINIKO_API_KEY": fake.key, "CLINIKO_API_URL": f"http://127.0.0.1:{fake.port}/v1"}
    return {"CALCOM_API_URL": f"http://127.0.0.1:{fake.port}", "CALCOM_API_KEY": fake.key or ""}


def block_for(fake: FakeScheduler, **changes) -> dict:
    """The content's scheduler block that names `fake`'s ids."""
    return (cliniko_block if isinstance(fake, FakeCliniko) else calcom_block)(**changes)


def app_for(make_app, clinic_file: Path, folder: Path, fake: FakeScheduler, *, now=NOW, timezone=ZONE, config=None,
            **changes):  # fmt: skip
    """An app whose clinic's scheduler is `fake`, its clock standing at `now` (a list of one: a test may move it)."""
    path = clinic_with_scheduler(clinic_file, folder, block_for(fake, **changes), timezone=timezone)
    app = make_app(CONTENT_PATH=str(path), **{**settings_for(fake), **(config or {})})
    clock = now if isinstance(now, list) else [now]
    app.extensions["bodymap.booking"].clock = lambda: clock[0]
    return app
