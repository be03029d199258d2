"""The accountable front desk in a real browser: the queue, a request's guide (with its consent line), the audit
trail, the accounts, a member's sessions and the set-password page pass axe at 360 and 1280 px and every control on
them is reached with the keyboard; an admin adds an account with the keyboard alone and the link works once; a call
logged from a request's guide moves its status in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import STAFF_PASSWORD, add_rows, add_staff, callback_request, sweep

pytestmark = pytest.mark.browser

ADMIN = "browser-admin@clinic.example"
NEW_PASSWORD = "harbor violet engine quietly"
CONTROLS = "main a[href], main button, main input:not([type=hidden]):not([hidden]), main select, main summary"


@pytest.fixture(scope="module")
def admin_account(live_app):
    add_staff(live_app, email=ADMIN, role="admin")
    return ADMIN


@pytest.fixture(scope="module")
def consented_request(live_app):
    """A request whose patient agreed to be called, as the form records it; its id."""
    from sqlalchemy import select

    from bodymap.data import consent
    from bodymap.data.models import CallbackRequest, utcnow

    with live_app.extensions["bodymap.sessions"]() as session, session.begin():
        request = callback_request(name="Consenting Patient", phone="+15035550166", region="knee", side="right", pain=4)
        consent.record(session, request, "The clinic may call me at this number.", "en", utcnow())
        session.add(request)
    with live_app.extensions["bodymap.sessions"]() as session:
        query = select(CallbackRequest.id).where(CallbackRequest.name == "Consenting Patient")
        return session.scalar(query.order_by(CallbackRequest.id.desc()))


def sign_in(page, live_server, email, password=STAFF_PASSWORD):
    page.goto(live_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("text=Sign in")
    expect(page.locator("h1")).not_to_have_text("Front desk sign-in")


def mark_controls(page) -> None:
    """Number every control of the page's main part (data-stop)."""
    page.evaluate(
        """(selector) => document.querySelectorAll(selector).forEach((el, n) => el.dataset.stop = String(n))""",
        CONTROLS,
    )


def reached_by_tab(page, limit: int = 400) -> set[str]:
    """The marked controls the Tab key reaches, from the top of the page."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.locator("body").focus()
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate("document.activeElement ? document.activeElement.dataset.stop || '' : ''")
        if stop and seen and stop == seen[0] and seen[-1] != stop:
            break  # round the page once (a date field takes a Tab for each of its parts)
        if stop:
            seen.append(stop)
    return set(seen)


def visible_controls(page) -> set[str]:
    return set(
        page.evaluate(
            """(selector) => [...document.querySelectorAll(selector)]
                 .filter(el => el.offsetParent !== null || el.tagName === "SUMMARY")
                 .filter(el => !el.closest("details:not([open])") || el.tagName === "SUMMARY")
                 .map(el => el.dataset.stop)""",
            CONTROLS,
        )
    )


def make_link(page, live_server, email: str) -> str:
    """Add an account in the browser; the set-password link the page shows once."""
    page.goto(live_server + "/staff/accounts")
    page.fill("#email", email)
    page.click("text=Add the account")
    expect(page.locator("h1")).to_have_text("Account added")
    return page.locator("#set-password-link").input_value()


@pytest.mark.parametrize("width", [1280, *sweep(360)])
def test_the_desk_and_admin_pages_pass_axe_and_every_control_is_reached_by_keyboard(
    make_page, console, live_server, admin_account, consented_request, width
):
    from tests.browser.test_map_in_browser import axe_violations

    console.expect_status(live_server + "/staff/audit?action=drop_table")
    page = make_page(viewport={"width": width, "height": 800})
    sign_in(page, live_server, admin_account)
    link = make_link(page, live_server, f"axe-{width}@clinic.example")
    assert axe_violations(page) == [], "the page showing a new link"
    paths = [
        "/staff/callbacks",
        f"/staff/callbacks/{consented_request}/guide",
        "/staff/audit",
        "/staff/audit?action=drop_table",  # the 400 page, with the filter kept
        "/staff/accounts",
        "/staff/sessions",
    ]
    for path in paths:
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
        if not path.endswith("/guide"):  # the guide's map is walked by the map's own keyboard tests
            mark_controls(page)
            missing = visible_controls(page) - reached_by_tab(page)
            assert missing == set(), (path, missing)
    page.goto(live_server + f"/staff/callbacks/{consented_request}/guide")
    expect(page.locator(".request-facts .consent")).to_contain_text("Agreed to be called on ")
    other = make_page(viewport={"width": width, "height": 800})
    other.goto(link)
    expect(other.locator("h1")).to_have_text("Set your password")
    assert axe_violations(other) == [], "the set-password page"


def test_an_admin_adds_an_account_with_the_keyboard_and_its_link_works_once(
    page, make_page, console, live_server, admin_account
):
    sign_in(page, live_server, admin_account)
    page.goto(live_server + "/staff/accounts")
    page.locator("#email").focus()
    page.keyboard.type("keyboard-added@clinic.example")
    page.keyboard.press("Tab")
    page.keyboard.type("Kim Park")
    page.keyboard.press("Tab")  # the role: desk, as it is
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Add the account":
            break
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Account added")
    link = page.locator("#set-password-link").input_value()

    newcomer = make_page(viewport={"width": 360, "height": 740})
    newcomer.goto(link)
    newcomer.fill("#password", NEW_PASSWORD)
    newcomer.fill("#confirm", NEW_PASSWORD)
    newcomer.get_by_role("button", name="Set my password").click()
    expect(newcomer.locator('[role="status"]')).to_contain_text("Your password is set")
    sign_in(newcomer, live_server, "keyboard-added@clinic.example", NEW_PASSWORD)
    expect(newcomer.locator("h1")).to_have_text("Callback requests")
    console.expect_status(link)  # 410 Gone, on purpose
    newcomer.goto(link)
    expect(newcomer.locator("h1")).to_have_text("This link no longer works")


def test_a_call_logged_from_a_requests_guide_moves_its_status_in_place(page, live_server, live_app, admin_account):
    from sqlalchemy import select

    from bodymap.data.models import CallbackRequest

    add_rows(live_app, callback_request(name="Called In Place", phone="+15035550167", region="neck"))
    with live_app.extensions["bodymap.sessions"]() as session:
        request_id = session.scalar(select(CallbackRequest.id).where(CallbackRequest.name == "Called In Place"))
    sign_in(page, live_server, admin_account)
    page.goto(live_server + f"/staff/callbacks/{request_id}/guide")
    expect(page.locator("#request-state")).to_contain_text("Status: New. No call logged yet.")
    page.evaluate("window.loadedOnce = true")
    page.check('input[name="outcome"][value="booked"]')
    page.click("text=Log the call")
    expect(page.locator("#call-log [role='status']")).to_have_text(
        "Call logged: booked a visit. The request is now booked."
    )
    expect(page.locator("#request-state .status")).to_have_text("Booked")
    expect(page.locator("#request-state")).to_contain_text(f"Booked a visit, just now, by {ADMIN}")
    assert page.evaluate("window.loadedOnce") is True
