"""The queue's opt-in browser notifications in Chromium: asked for once, shown only while the tab is in the
background, saying how many requests are new and never who; the tab's title counts them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import STAFF_PASSWORD, add_callback, add_staff

pytestmark = pytest.mark.browser

# A headless browser has no background tabs: the page is told it is hidden when the test says so, and each
# notification the real API shows is also written down for the test to read.
WATCH_NOTIFICATIONS = """
window.shown = [];
const RealNotification = window.Notification;
window.Notification = class extends RealNotification {
  constructor(title, options) {
    super(title, options);
    window.shown.push({ title, body: options && options.body });
  }
};
Object.defineProperty(document, "hidden", { configurable: true, get: () => window.inBackground === true });
"""


@pytest.fixture(scope="module")
def notify_account(live_app):
    add_staff(live_app, email="notify-desk@clinic.example")
    return "notify-desk@clinic.example"


def poll(page) -> None:
    """What the table's `every 20s` trigger does, now."""
    page.evaluate(
        """() => {
          const table = document.querySelector("#queue-table");
          return htmx.ajax("GET", table.getAttribute("hx-get"), {target: "#queue-table", swap: "outerMorph"});
        }"""
    )


def test_a_staff_member_turns_on_notifications_and_hears_of_new_requests_only_in_the_background(
    make_page, live_server, live_app, notify_account
):
    page = make_page(viewport={"width": 1280, "height": 800}, permissions=["notifications"])
    page.add_init_script(WATCH_NOTIFICATIONS)
    page.goto(live_server + "/staff/login")
    page.fill("#email", notify_account)
    page.fill("#password", STAFF_PASSWORD)
    page.click("text=Sign in")
    expect(page.locator("h1")).to_have_text("Callback requests")

    button = page.locator("[data-notify-toggle]")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-notify-state]")).to_contain_text("On:")

    before = int(page.locator("#new-count").text_content())
    page.evaluate("window.inBackground = true")
    add_callback(live_app, name="Ottoline Fairweather")
    poll(page)
    expect(page.locator("#new-count")).to_have_text(str(before + 1))
    page.wait_for_function("window.shown.length === 1")
    [shown] = page.evaluate("window.shown")
    assert shown == {"title": "New callback request", "body": f"{before + 1} waiting in the queue."}
    assert page.title().startswith(f"{before + 1} new · Callback requests")

    page.evaluate("window.inBackground = false")  # looking at the tab: the page itself is enough
    add_callback(live_app, name="Ottoline Fairweather")
    poll(page)
    expect(page.locator("#new-count")).to_have_text(str(before + 2))
    page.wait_for_timeout(200)
    assert page.evaluate("window.shown.length") == 1

    page.reload()  # the choice is remembered in this browser
    expect(page.locator("[data-notify-toggle]")).to_have_attribute("aria-pressed", "true")
    page.locator("[data-notify-toggle]").click()
    expect(page.locator("[data-notify-toggle]")).to_have_attribute("aria-pressed", "false")
    page.evaluate("window.inBackground = true")
    add_callback(live_app)
    poll(page)
    expect(page.locator("#new-count")).to_have_text(str(before + 3))
    page.wait_for_timeout(200)
    assert page.evaluate("window.shown.length") == 0  # turned off (a new page: its own list)
