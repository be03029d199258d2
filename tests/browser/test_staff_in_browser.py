"""The front desk in a real browser: a script payload stays text, statuses change in place, the guide works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import STAFF_EMAIL, STAFF_PASSWORD, add_staff

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


@pytest.fixture(scope="module")
def staff_account(live_app):
    add_staff(live_app, email="browser-" + STAFF_EMAIL)
    return "browser-" + STAFF_EMAIL


def sign_in(page, live_server, email):
    page.goto(live_server + "/staff/")
    expect(page).to_have_url(live_server + "/staff/login?next=/staff/")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("text=Sign in")
    expect(page.locator("h1")).to_have_text("Callback requests")


def test_a_script_payload_from_a_patient_runs_nowhere_on_the_staff_pages(page, live_server, staff_account):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server + "/callback?region=knee&side=left")
    page.fill("#name", PAYLOAD)
    page.fill("#phone", "(503) 555-0199")
    page.fill("#note", PAYLOAD)
    page.check("#consent")
    page.click("text=Send my request")
    expect(page.locator('[role="status"]')).to_be_visible()
    sign_in(page, live_server, staff_account)
    row = page.locator("table.queue tbody tr").filter(has_text="555-0199").first
    expect(row.locator(".patient-name")).to_have_text(PAYLOAD)
    expect(row.locator(".patient-note")).to_have_text(PAYLOAD)
    assert page.locator("table.queue img, table.queue tbody script").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_a_status_changes_in_place_and_the_count_follows(page, live_server, staff_account):
    sign_in(page, live_server, staff_account)
    new_before = int(page.locator("#new-count").text_content())
    assert new_before >= 1
    page.evaluate("window.loadedOnce = true")
    row = page.locator("table.queue tbody tr[data-status='new']").first
    row_id = row.get_attribute("id")
    row.locator("button[value='contacted']").click()
    expect(page.locator(f"#{row_id}")).to_have_attribute("data-status", "contacted")
    assert page.evaluate("window.loadedOnce") is True


def test_the_call_guide_opens_a_script_and_logs_a_call(page, live_server, staff_account):
    sign_in(page, live_server, staff_account)
    page.click("text=Call guide")
    page.evaluate("window.loadedOnce = true")
    page.click('svg[data-view="back"] a[data-region="low-back"]')
    expect(page.locator("#region-panel h2")).to_have_text("Low back: phone script")
    assert page.evaluate("document.activeElement.id") == "panel-heading"
    expect(page.locator('[data-step="emergency"] .if-yes')).to_contain_text("end the call there")
    page.check('input[name="outcome"][value="information"]')
    page.click("text=Log the call")
    expect(page.locator("#call-log [role='status']")).to_have_text("Call logged: information only.")
    assert page.evaluate("window.loadedOnce") is True
    page.click("text=Insights")
    expect(page.locator("h1")).to_have_text("Insights")


def test_staff_pages_pass_axe(page, live_server, staff_account):
    from tests.browser.test_map_in_browser import axe_violations

    sign_in(page, live_server, staff_account)
    assert axe_violations(page) == []
    for path in ("/staff/guide/knee?side=left", "/staff/insights"):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path


def test_new_requests_appear_by_themselves_and_the_header_count_follows(page, live_server, live_app, staff_account):
    import uuid

    from bodymap.data.models import CallbackRequest

    page.clock.install()
    sign_in(page, live_server, staff_account)
    count_before = int(page.locator("#new-count").text_content())
    with live_app.extensions["bodymap.sessions"]() as session, session.begin():
        session.add(
            CallbackRequest(
                submission_key=str(uuid.uuid4()),
                name="Polly Newcomer",
                phone="+15035550111",
                preferred_time="any",
                note="",
            )
        )
    page.evaluate("window.loadedOnce = true")
    page.clock.fast_forward(21_000)
    expect(page.locator("table.queue .patient-name").first).to_have_text("Polly Newcomer")
    expect(page.locator("#new-count")).to_have_text(str(count_before + 1))
    assert page.evaluate("window.loadedOnce") is True
