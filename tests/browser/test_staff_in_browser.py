"""The front desk in a real browser: a script payload stays text, statuses change in place, a request's areas and
scores show in the queue and its call guide, the guide works, a Spanish request's script reads in Spanish (lang="es"),
and axe finds nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.helpers import STAFF_EMAIL, STAFF_PASSWORD, add_rows, add_staff, callback_request, sweep

pytestmark = pytest.mark.browser

PAYLOAD = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


THREE_AREAS = [  # as the patient listed them; the queue shows them highest score first
    {"region": "neck", "side": None, "pain": 4, "feelings": "aching", "duration": "6-12-weeks"},
    {"region": "shoulder", "side": "left", "pain": 7, "feelings": "sharp", "duration": "under-6-weeks"},
    {"region": "knee", "side": "right", "pain": 2, "feelings": "", "duration": None},
]


@pytest.fixture(scope="module")
def staff_account(live_app):
    add_staff(live_app, email="browser-" + STAFF_EMAIL)
    return "browser-" + STAFF_EMAIL


@pytest.fixture(scope="module")
def three_areas(live_app):
    """A request naming three areas, each with its score; its id."""
    from sqlalchemy import select

    from bodymap.data.models import CallbackRequest

    add_rows(
        live_app, callback_request(name="Three Areas", phone="+15035550177", status="contacted", areas=THREE_AREAS)
    )
    with live_app.extensions["bodymap.sessions"]() as session:
        # The newest of that name: other browser tests send requests to the same app, some from the same number.
        return session.scalar(
            select(CallbackRequest.id).where(CallbackRequest.name == "Three Areas").order_by(CallbackRequest.id.desc())
        )


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
    page.get_by_role("button", name="Send my request").click()
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
    expect(page.locator("#panel-heading")).to_be_focused()
    expect(page.locator('[data-step="emergency"] .if-yes')).to_contain_text("end the call there")
    page.check('input[name="outcome"][value="information"]')
    page.click("text=Log the call")
    expect(page.locator("#call-log [role='status']")).to_have_text("Call logged: information only.")
    assert page.evaluate("window.loadedOnce") is True
    page.click("text=Insights")
    expect(page.locator("h1")).to_have_text("Insights")


def test_the_queue_shows_every_area_of_a_request_with_its_score(page, live_server, staff_account, three_areas):
    sign_in(page, live_server, staff_account)
    row = page.locator(f"#callback-{three_areas}")
    expect(row.locator("ul.pain-areas > li")).to_have_count(3)
    assert row.locator("ul.pain-areas > li").evaluate_all(
        "items => items.map(li => [li.dataset.region, li.dataset.side, li.dataset.pain])"
    ) == [["shoulder", "left", "7"], ["neck", "", "4"], ["knee", "right", "2"]]
    scores = row.locator(".pain-score")
    for n, score in enumerate(("7", "4", "2")):
        expect(scores.nth(n)).to_be_visible()
        expect(scores.nth(n)).to_contain_text(score)
    expect(row.locator(".pain-words").first).to_have_text(", sharp")
    page.select_option('select[name="sort"]', "score")
    page.click("form.filters button")
    expect(page).to_have_url(re.compile(r"/staff/callbacks\?.*sort=score"))
    expect(page.locator("table.queue caption")).to_contain_text("highest pain score first")
    row.locator("a.guide-link").click()
    expect(page).to_have_url(live_server + f"/staff/callbacks/{three_areas}/guide")
    steps = page.locator("#region-panel [data-step]")
    assert steps.evaluate_all("steps => steps.map(s => s.dataset.step)")[:3] == ["opening", "emergency", "urgent"]


@pytest.mark.parametrize("width", [1280, *sweep(360)])
def test_staff_pages_pass_axe(make_page, live_server, staff_account, three_areas, width):
    from tests.browser.test_map_in_browser import axe_violations

    page = make_page(viewport={"width": width, "height": 800})
    sign_in(page, live_server, staff_account)
    assert axe_violations(page) == []
    paths = ("/staff/callbacks?sort=score", f"/staff/callbacks/{three_areas}/guide", "/staff/guide/knee?side=left")
    for path in (*paths, "/staff/insights"):
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
    # Overdue requests lead the queue (how many depends on the hour the suite runs): the new one is among the rest.
    expect(page.locator("table.queue .patient-name", has_text="Polly Newcomer")).to_have_count(1)
    expect(page.locator("#new-count")).to_have_text(str(count_before + 1))
    assert page.evaluate("window.loadedOnce") is True


@pytest.fixture(scope="module")
def spanish_request(live_app):
    """A request sent from the Spanish form, naming the left knee and the neck; its id."""
    from sqlalchemy import select

    from bodymap import content
    from bodymap.data.models import CallbackRequest

    if "es" not in content.languages(live_app):
        pytest.skip("this clinic's content has no Spanish")
    areas = [{"region": "knee", "side": "left", "pain": 6}, {"region": "neck", "side": None, "pain": 3}]
    add_rows(live_app, callback_request(name="Beatriz", phone="+15035550188", language="es", areas=areas))
    with live_app.extensions["bodymap.sessions"]() as session:
        return session.scalar(
            select(CallbackRequest.id).where(CallbackRequest.name == "Beatriz").order_by(CallbackRequest.id.desc())
        )


@pytest.mark.parametrize("width", [1280, *sweep(360)])
def test_the_spanish_script_is_read_in_a_spanish_voice_and_passes_axe(
    make_page, live_server, live_app, staff_account, spanish_request, width
):
    from bodymap import content
    from tests.browser.test_map_in_browser import axe_violations

    spanish = content.get(live_app, lang="es")
    page = make_page(viewport={"width": width, "height": 800})
    sign_in(page, live_server, staff_account)
    row = page.locator(f"#callback-{spanish_request}")
    expect(row.locator('.language-tag [lang="es"]')).to_have_text("Español")
    page.goto(live_server + "/staff/callbacks?language=es")
    assert axe_violations(page) == []
    page.locator(f"#callback-{spanish_request} a.guide-link").click()
    expect(page).to_have_url(live_server + f"/staff/callbacks/{spanish_request}/guide")
    emergency = page.locator('#region-panel [data-step="emergency"] ol')
    expect(emergency).to_have_attribute("lang", "es")
    expect(emergency.locator("li").first).to_have_text(spanish.region("knee").screening.emergency[0])
    expect(page.locator("#region-panel h2")).to_have_text("Left knee and neck: phone script")
    assert axe_violations(page) == []

    page.goto(live_server + "/staff/guide?script=es")
    page.evaluate("window.loadedOnce = true")
    page.click('svg[data-view="front"] a[data-region="knee"][data-side="left"]')  # htmx swaps the panel in Spanish
    expect(page.locator('#region-panel [data-step="summary"] p.say')).to_have_text(spanish.region("knee").summary)
    expect(page.locator('#region-panel [data-step="summary"] p.say')).to_have_attribute("lang", "es")
    assert page.evaluate("window.loadedOnce") is True
    assert axe_violations(page) == []
    page.get_by_role("link", name="Script in English").click()
    expect(page).to_have_url(live_server + "/staff/guide/knee?side=left&script=en")
    expect(page.locator('#region-panel [data-step="emergency"] ol')).to_have_attribute("lang", "en")
