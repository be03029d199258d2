"""The callback form in a real browser: with htmx, without JavaScript, and against injected markup."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.helpers import stored

pytestmark = pytest.mark.browser


def fill(page, name="Ana Lima", phone="(503) 555-0142", note="It hurts on the stairs."):
    page.fill("#name", name)
    page.fill("#phone", phone)
    page.check('input[name="preferred_time"][value="afternoon"]')
    page.select_option("#areas-0-pain", "6")
    page.fill("#note", note)
    page.check("#consent")


@pytest.mark.every_clinic
def test_from_a_panel_to_a_confirmation_without_a_page_load(page, live_server, live_app, content, console):
    console.expect_status(live_server + "/callback")  # the 422 answer to a mistake is on purpose
    page.goto(live_server + "/pain/knee?side=left")
    page.click("text=Request a callback")
    expect(page).to_have_url(live_server + "/callback?region=knee&side=left")
    expect(page.locator("#areas-0-region")).to_have_value("knee")
    expect(page.locator("[name='areas-0-side']:checked")).to_have_value("left")
    page.evaluate("window.loadedOnce = true")
    page.evaluate("""() => {
        const button = document.querySelector('#callback-form .button-call');
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
    expect(page.locator(".if-worse .flags-emergency li")).to_have_count(len(content.region("knee").red_flags.emergency))
    expect(page.locator(".if-worse .flags-urgent li")).to_have_count(len(content.region("knee").red_flags.urgent))
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    assert page.evaluate("document.activeElement.getAttribute('role')") == "status"
    saved = [s for s in stored(live_app) if s.name == "Ana Lima" and s.areas and s.areas[0].pain == 6]
    assert len(saved) == 1 and [(a.region, a.side) for a in saved[0].areas] == [("knee", "left")]


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
    [saved] = [s for s in stored(live_app) if s.name == "Sam No-Script"]
    assert [(a.region, a.side, a.pain) for a in saved.areas] == [("hip", "right", 6)]


def test_script_in_a_note_stays_text(page, live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    page.goto(live_server + "/callback?region=neck")
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
    live_app.extensions["bodymap.rate_limits"].reset()  # other tests' requests count against this address's limit
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


def signs_of(*regions) -> list[str]:
    return list(dict.fromkeys(" ".join(f.text.split()) for r in regions for f in r.red_flags.emergency))


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_a_patient_adds_a_second_area_and_sends_both(make_page, live_server, live_app, content, console, script):
    live_app.extensions["bodymap.rate_limits"].reset()
    name = f"Two Areas {'Js' if script else 'Plain'}"
    page = make_page(java_script_enabled=script, viewport={"width": 360, "height": 740})
    page.goto(live_server + "/callback?region=knee&side=left")
    if script:
        page.evaluate("window.loadedOnce = true")
    fill(page, name=name)
    page.click("text=Add another area")
    second = page.locator("#areas-1-region")
    expect(second).to_be_visible()
    if script:
        expect(second).to_be_focused()
    expect(page.locator("#name")).to_have_value(name)
    expect(page.locator("#areas-0-pain")).to_have_value("6")
    second.select_option("neck")
    page.select_option("#areas-1-pain", "3")
    page.check("#areas-1-feelings-0")
    if not script:  # without JavaScript, a button redraws the signs; with it, picking the place does
        page.click("text=Show the signs for the places picked")
    # Picking the place and then its score each redraw the signs: wait for the list to name both places' signs.
    expect(page.locator("#callback-emergency-signs li")).to_have_text(
        signs_of(content.region("knee"), content.region("neck"))
    )
    page.click("text=Send my request")
    status = page.locator('[role="status"]')
    expect(status).to_contain_text(f"Thank you, {name}")
    expect(status.locator(".recap-area")).to_have_text([content.region("knee").label("left"), "Neck"])
    if script:
        assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    [saved] = [s for s in stored(live_app) if s.name == name]
    assert [(a.region, a.side, a.pain, a.feelings) for a in saved.areas] == [
        ("knee", "left", 6, ""),
        ("neck", None, 3, "aching"),
    ]


def test_removing_an_area_keeps_the_others_and_what_was_typed(page, live_server):
    page.goto(live_server + "/callback?region=hip&side=right")
    fill(page, name="Remove Me Not")
    page.click("text=Add another area")
    page.locator("#areas-1-region").select_option("ankle")
    page.click("text=Add another area")
    page.locator("#areas-2-region").select_option("neck")
    page.click("text=Remove area 2")
    expect(page.locator('select[name$="-region"]')).to_have_count(2)
    expect(page.locator("#areas-0-region")).to_have_value("hip")
    expect(page.locator("#areas-1-region")).to_have_value("neck")
    expect(page.locator("#name")).to_have_value("Remove Me Not")
    expect(page.locator("#areas-heading")).to_be_focused()


def test_the_form_with_two_areas_passes_axe_at_320_and_1280(make_page, live_server):
    from tests.browser.test_map_in_browser import axe_violations

    for width in (320, 1280):
        page = make_page(viewport={"width": width, "height": 800})
        page.goto(live_server + "/callback?region=knee&side=left")
        page.click("text=Add another area")
        page.locator("#areas-1-region").select_option("neck")
        expect(page.locator("#callback-emergency-signs li").first).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe_violations(page) == []


def test_enter_in_a_text_box_sends_the_form_and_never_presses_an_area_button(make_page, live_server, console):
    console.expect_status(live_server + "/callback")
    page = make_page(java_script_enabled=False)
    page.goto(live_server + "/callback?region=knee&side=left")
    page.click("text=Add another area")
    page.locator("#areas-1-region").select_option("neck")
    fill(page, name="Enter Key", phone="1")
    with page.expect_navigation():
        page.press("#name", "Enter")
    expect(page.locator(".error-summary")).to_contain_text("We cannot call that number")  # it was sent
    expect(page.locator('select[name$="-region"]')).to_have_count(2)
