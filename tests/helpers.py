"""Helpers the test modules share: the clinic files, HTML parsing, rows, staff accounts and the `flask` command."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, SoupStrainer
from bs4.element import Tag
from werkzeug.security import generate_password_hash

from bodymap.content import load
from bodymap.settings import content_path

TESTS = Path(__file__).resolve().parent


def second_clinic_file(shipped: Path, clinic_block: Path) -> Path:
    """The shipped file with another clinic: its `clinic:` block swapped for `clinic_block`'s, and the shipped
    clinic's name (a source may cite the clinic's own page) swapped for the other clinic's wherever it is written.
    The regions, treatments and sources are the shipped ones, stated once."""
    text = shipped.read_text(encoding="utf-8")
    block = clinic_block.read_text(encoding="utf-8")
    clinic = block[block.index("clinic:") :].rstrip() + "\n\n"
    start = text.index("\nclinic:") + 1
    end = text.index("\n# Every source cited below", start) + 1
    shipped_name = re.search(r"^  name: (.+)$", text[start:end], re.MULTILINE)[1].strip().strip('"')
    other_name = re.search(r"^  name: (.+)$", clinic, re.MULTILINE)[1].strip().strip('"')
    built = text[:start] + clinic + text[end:].replace(shipped_name, other_name)
    digest = hashlib.sha256(built.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"bodymap-{clinic_block.stem}-{digest}.yaml"
    if not path.exists():  # the same bytes whichever test worker writes them
        partial = path.with_suffix(f".{digest}.part")
        partial.write_text(built, encoding="utf-8")
        partial.replace(path)
    return path


# Every test that builds the app runs once per clinic file: the one this checkout ships (or $CONTENT_PATH)
# and a made-up second clinic, so nothing in the suite may lean on one clinic's name, phone or wording.
CLINIC_FILES = {
    "shipped": content_path(),
    "riverbend": second_clinic_file(content_path(), TESTS / "clinics" / "riverbend.yaml"),
}
CLINICS = {name: load(path) for name, path in CLINIC_FILES.items()}
# The shipped file's content, for the few tests about that file itself; tests of the app take the `content` fixture.
CONTENT = CLINICS["shipped"]

HTMX = {"HX-Request": "true"}


def sweep(*values) -> list:
    """More values of a parameter whose first values `make test` checks (more widths, the other language): marked
    slow, so `make test-slow` (and CI) runs them. A tuple is one set of values, as in parametrize("width,height")."""
    return [pytest.param(*(v if isinstance(v, tuple) else (v,)), marks=pytest.mark.slow) for v in values]


FULL_PAGE = re.compile(r"<html[\s>]", re.IGNORECASE)
SECTION_ORDER = ["red-flags", "summary", "conditions", "treatments", "self-care", "add-to-list", "booking"]


def parse(text: str, **options) -> BeautifulSoup:
    """HTML parsed by lxml (many times quicker than Python's parser, which the suite once spent a third of its time
    in). lxml wraps a fragment in html, head and body: those are taken off again, so a test sees a fragment as it
    was sent."""
    page = BeautifulSoup(text, "lxml", **options)
    if not FULL_PAGE.search(text):
        for wrapper in ("html", "head", "body"):
            if page.find(wrapper) is not None:
                page.find(wrapper).unwrap()
    return page


# What changes a parsed page. A page parsed once for several tests refuses each of them (see `soup`).
CHANGES = (
    "__setitem__", "__delitem__", "extract", "decompose", "insert", "append", "extend", "clear", "unwrap",
    "replace_with", "wrap", "smooth", "insert_before", "insert_after",
)  # fmt: skip


class Parsing:
    """True while `soup` builds a shared page (the parser and the unwrapping above may change it then)."""

    now = False


def read_only(kind: type) -> type:
    """`kind` (a tag of a parsed page) with every method in CHANGES refused outside parsing."""

    def refuse(name: str):
        change = getattr(kind, name)

        def refused(self, *args, **kwargs):
            if not Parsing.now:
                raise TypeError(f"{name}(): this parsed page is shared by every test that reads the same response; "
                                "change a page of your own from own_soup(response)")  # fmt: skip
            return change(self, *args, **kwargs)

        return refused

    return type(f"Shared{kind.__name__}", (kind,), {name: refuse(name) for name in CHANGES if hasattr(kind, name)})


SHARED_CLASSES = {Tag: read_only(Tag)}  # not strings: get_text() reads only strings of bs4's own classes
PARSED: OrderedDict[str, BeautifulSoup] = OrderedDict()
PARSED_KEPT = 256


def soup(response) -> BeautifulSoup:
    """A response's HTML, parsed, for reading. Many tests read the same page (each region's page is read for its
    panel, its links, its list form, its head...), so a page is parsed once for all of them, the last
    PARSED_KEPT pages kept: the page may be read, never changed (a change raises TypeError)."""
    text = response.get_data(as_text=True)
    page = PARSED.get(text)
    if page is None:
        Parsing.now = True
        try:
            page = PARSED[text] = parse(text, element_classes=SHARED_CLASSES)
        finally:
            Parsing.now = False
        if len(PARSED) > PARSED_KEPT:
            PARSED.popitem(last=False)
    else:
        PARSED.move_to_end(text)
    return page


def own_soup(response) -> BeautifulSoup:
    """A response's HTML, parsed for this test alone, which may change it (take parts out before reading the rest)."""
    return parse(response.get_data(as_text=True))


def region_sides(region):
    """Every way a region can be opened: without a side, and with each of its sides."""
    return [None, *region.sides]


# A callback request as a patient would fill it in.
GOOD_CALLBACK = {
    "name": "Ana Lima",
    "phone": "(503) 555-0142",
    "preferred_time": "morning",
    "areas-0-region": "knee",
    "areas-0-side": "left",
    "areas-0-pain": "4",
    "note": "It hurts on the stairs.",
    "consent": "y",
}


# A form's hidden values are all a test needs of the page when it is about to send the form: the inputs alone are
# parsed, a third of the time of the whole page.
INPUTS = SoupStrainer("input")


def hidden_fields(response) -> dict[str, str]:
    """The CSRF token and submission key of the callback form in a response."""
    page = BeautifulSoup(response.get_data(as_text=True), "lxml", parse_only=INPUTS)
    return {name: page.select_one(f'input[name="{name}"]')["value"] for name in ("csrf_token", "submission_key")}


def send_callback(client, htmx: bool = False, form=None, **changes):
    """Open the form, fill it in (with `changes`; None leaves a field out) and send it."""
    data = {**hidden_fields(form or client.get("/callback")), **GOOD_CALLBACK, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    return client.post("/callback", data=data, headers=HTMX if htmx else {})


def stored(app):
    """Every callback request in the app's database, oldest first."""
    from sqlalchemy import select

    from bodymap.data.models import CallbackRequest

    with app.extensions["bodymap.sessions"]() as session:
        return list(session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)))


def add_rows(app, *rows) -> None:
    """Put model instances straight into the app's database, in one transaction."""
    with app.extensions["bodymap.sessions"]() as session, session.begin():
        session.add_all(rows)


def callback_request(region=None, side=None, pain=None, areas=(), **fields):
    """A callback request row with a patient's usual answers, changed by `fields`. Its areas are `areas`
    (dicts of CallbackArea's columns, in order), or the one area `region`, `side` and `pain` name."""
    import uuid

    from bodymap.data.models import CallbackArea, CallbackRequest, utcnow

    if region and not areas:
        areas = [{"region": region, "side": side, "pain": pain}]
    values = {
        "submission_key": str(uuid.uuid4()),
        "name": "Patient",
        "phone": "+15035550142",
        "preferred_time": "any",
        "note": "",
        "created_at": utcnow(),
        **fields,
    }
    request = CallbackRequest(**values)
    request.areas = [CallbackArea(position=n, **{"feelings": "", **area}) for n, area in enumerate(areas)]
    return request


def add_callback(app, **fields) -> None:
    """Store one callback request: a patient's usual answers, changed by `fields`."""
    add_rows(app, callback_request(**fields))


STAFF_EMAIL = "desk@clinic.example"
STAFF_PASSWORD = "maple river quiet lantern"
# Made once per run. scrypt, as the app stores it, at a cost fit for tests: the cost is written in the hash, so
# each sign-in in the suite checks it in a quarter of a millisecond (the least cost OpenSSL allows at this block
# size). The app's own cost is tested where accounts are made (tests/test_staff_accounts.py), and every other hash
# the app checks keeps it.
QUICK_SCRYPT = "scrypt:128:8:1"
STAFF_HASH = generate_password_hash(STAFF_PASSWORD, method=QUICK_SCRYPT)


def quick_hash(password: str) -> str:
    """scrypt at the suite's cost, for accounts whose hashing cost is not what a test is about."""
    return STAFF_HASH if password == STAFF_PASSWORD else generate_password_hash(password, method=QUICK_SCRYPT)


def add_staff(app, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, role: str = "desk", **fields):
    """An account (a front-desk one unless `role` says), stored directly with a hash made at the suite's cost;
    `fields` are other columns (display_name, review_languages)."""
    from bodymap.data.models import StaffMember

    add_rows(app, StaffMember(email=email, password_hash=quick_hash(password), role=role, **fields))


def csrf_token_from(response) -> str:
    """The CSRF token of the first form in a response."""
    page = BeautifulSoup(response.get_data(as_text=True), "lxml", parse_only=INPUTS)
    return page.select_one('input[name="csrf_token"]')["value"]


def sign_in(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, next_page: str | None = None):
    """Sign in through the real form, as a member would."""
    token = csrf_token_from(client.get("/staff/login"))
    url = "/staff/login" + (f"?next={next_page}" if next_page else "")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})


def flask_command(app, *args: str, input: str | None = None):
    """`flask --app bodymap ARGS` run in-process against `app` (click's runner): the result has exit_code and output."""
    return app.test_cli_runner().invoke(args=list(args), input=input)


FLASK = Path(sys.executable).parent / "flask"


def flask_shell(folder: Path, *args: str, input: str | None = None, **environment: str) -> subprocess.CompletedProcess:
    """`flask --app bodymap ARGS` in a real process with a bare environment: its instance folder, home and
    (unless given) database in `folder`, so it never writes into the checkout."""
    env = {
        "PATH": str(FLASK.parent),
        "HOME": str(folder),
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": f"sqlite:///{folder}/bodymap.sqlite3",
        **environment,
    }
    command = [str(FLASK), "--app", "bodymap", *args]
    return subprocess.run(command, env=env, input=input, capture_output=True, text=True, timeout=60)
