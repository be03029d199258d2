"""Helpers the test modules share: the loaded content and HTML parsing."""

from __future__ import annotations

from bs4 import BeautifulSoup

from bodymap.content import configured_path, load

CONTENT = load(configured_path())
HTMX = {"HX-Request": "true"}
SECTION_ORDER = ["red-flags", "summary", "conditions", "treatments", "self-care", "booking"]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def region_sides(region):
    """Every way a region can be opened: without a side, and with each of its sides."""
    return [None, *region.sides]


# A callback request as a patient would fill it in.
GOOD_CALLBACK = {
    "name": "Ana Lima",
    "phone": "(503) 555-0142",
    "preferred_time": "morning",
    "region": "knee",
    "side": "left",
    "pain": "4",
    "note": "It hurts on the stairs.",
    "consent": "y",
}


def hidden_fields(response) -> dict[str, str]:
    """The CSRF token and submission key of the form in a response."""
    page = soup(response)
    return {
        name: page.select_one(f'#callback-form input[name="{name}"]')["value"]
        for name in ("csrf_token", "submission_key")
    }


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


STAFF_EMAIL = "desk@clinic.example"
STAFF_PASSWORD = "maple river quiet lantern"


def add_staff(app, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD):
    from bodymap.data.models import StaffMember
    from bodymap.staff.accounts import hash_password

    with app.extensions["bodymap.sessions"]() as session, session.begin():
        session.add(StaffMember(email=email, password_hash=hash_password(password)))


def csrf_token_from(response) -> str:
    return soup(response).select_one('input[name="csrf_token"]')["value"]


def sign_in(client, email: str = STAFF_EMAIL, password: str = STAFF_PASSWORD, next_page: str | None = None):
    token = csrf_token_from(client.get("/staff/login"))
    url = "/staff/login" + (f"?next={next_page}" if next_page else "")
    return client.post(url, data={"csrf_token": token, "email": email, "password": password})
