"""The callback form in a real browser: with htmx, without JavaScript, and against injected markup."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bodymap.extensions import limiter
from tests.helpers import stored

pytestmark = pytest.mark.browser


def fill(page, name="Ana Lima", phone="(503) 555-0142", note="It hurts on the stairs."):
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.check('input[name="preferred_time"][value="afternoon"]')
    page.select_option("#pain", "6")
    page.fill("#note", note)
    page.check("#consent")


@pytest.mark.every_clinic
def test_from_a_panel_to_a_confirmation_without_a_page_load(page, live_server, live_app, content, console):
    console.expect_status(live_server + "/callback")  # the 422 answer to a mistake is on purpose
    page.goto(live_server + "/pain/knee?side=left")
    page.click("text=Request a callback")
    expect(page).to_have_url(live_server + "/callback?region=knee&side=left")
    expect(page.locator("#region")).to_have_value("knee")
    expect(page.locator("#side")).to_have_value("left")
    page.evaluate("window.loadedOnce = true")
    page.evaluate("""() => {
        const button = document.querySelector('#callback-form button');
        window.buttonWasDisabled = false;
        new MutationObserver(() => { if (button.disabled) window.buttonWasDisabled = true; })
            .observe(button, {attributes: true});
    }""")
    fill(page, phone="555-01")
    page.click("text=Send my request")
    expect(page.locator("#phone-error")).to_contain_text("We cannot call that number")
    expect(page.locator("#name")).to_have_value("Ana Lima")
    expect(page.locator("#note")).to_have_value("It hurts on the stairs.")
    assert page.evaluate("window.buttonWasDisabled") is True
    page.fill("#phone", "(503) 555-0142")
    page.click("text=Send my request")
    status = page.locator('[role="status"]')
    expect(status).to_contain_text("Thank you, Ana Lima")
    expect(status).to_contain_text("afternoon")
    expect(status).to_contain_text("Left knee")
    expect(page).to_have_title(f"Request sent · {content.clinic.name}")
    expect(page.locator("main h1")).to_have_text(["Request sent"])
    expect(page.locator(".if-worse li")).to_have_count(len(content.region("knee").red_flags.emergency))
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    saved = [s for s in stored(live_app) if s.name == "Ana Lima" and s.pain == 6]
    assert len(saved) == 1 and (saved[0].region, saved[0].side) == ("knee", "left")


def test_without_javascript_the_form_posts_and_redirects_to_a_confirmation(
    make_page, live_server, live_app, content, console
):
    console.expect_status(live_server + "/callback")
    page = make_page(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page.goto(live_server + "/callback?region=hip&side=right")
    fill(page, name="Sam No-Script", phone="12")
    with page.expect_navigation():
        page.click("text=Send my request")
    expect(page.locator("#phone-error")).to_be_visible()
    expect(page.locator("#name")).to_have_value("Sam No-Script")
    page.fill("#phone", "503 555 0177")
    with page.expect_navigation():
        page.click("text=Send my request")
    expect(page).to_have_url(live_server + "/callback/sent")
    expect(page.locator('[role="status"]')).to_contain_text("Thank you, Sam No-Script")
    expect(page.locator('[role="status"]')).to_contain_text("Right hip")
    expect(page).to_have_title(f"Request sent · {content.clinic.name}")
    expect(page.locator("main h1")).to_have_text(["Request sent"])
    assert [(s.region, s.side) for s in stored(live_app) if s.name == "Sam No-Script"] == [("hip", "right")]


def test_script_in_a_note_stays_text(page, live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    page.goto(live_server + "/callback")
    fill(page, name=payload, note=payload)
    page.click("text=Send my request")
    expect(page.locator('[role="status"]')).to_contain_text(payload)
    assert dialogs == []
    assert page.locator(".confirmation img, .confirmation script").count() == 0


def test_the_form_is_usable_on_a_phone_and_passes_axe(make_page, live_server, console):
    console.expect_status(live_server + "/callback")
    from tests.browser.test_map_in_browser import axe_violations

    page = make_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(live_server + "/callback?region=neck")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    fill(page, phone="1")
    page.click("text=Send my request")
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []


HEADINGS = "() => [...document.querySelectorAll('main h1, main h2, main h3')].map(h => h.textContent.trim())"


def test_the_confirmation_reads_the_same_with_and_without_javascript(make_page, live_server, live_app):
    with live_app.app_context():
        limiter.reset()  # the other tests' requests count against this address's hourly limit
    seen = []
    for script in (True, False):
        page = make_page(java_script_enabled=script, viewport={"width": 360, "height": 740})
        page.goto(live_server + "/callback?region=shoulder&side=right")
        fill(page, name="Lee Same")
        page.click("text=Send my request")
        expect(page.locator('[role="status"]')).to_be_visible()
        seen.append((page.title(), page.evaluate(HEADINGS), page.locator("#callback-page").inner_text()))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert seen[0] == seen[1]
