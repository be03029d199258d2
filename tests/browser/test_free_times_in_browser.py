"""The next free times in a real browser, from a stand-in Cliniko on loopback: loaded into the panel after the page
(and after each click on the map), each a link that books it; without JavaScript, a link to a page of them."""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import build_app, scratch_folder
from tests.schedulers import FakeCliniko, app_for

pytestmark = pytest.mark.browser

LEFT_KNEE = 'svg[data-view="front"] a[data-region="knee"][data-side="left"]'
LINK = "https://cal.com/clinic/new-patient?date={date}&slot={start}"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@contextmanager
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def cliniko():
    import datetime
    from zoneinfo import ZoneInfo

    with FakeCliniko() as fake:
        zone = ZoneInfo("America/Los_Angeles")
        fake.offer(*(datetime.datetime(2026, 12, d, h, 30, tzinfo=zone) for d in (7, 8, 9, 10) for h in (9, 11, 15)))
        yield fake


@pytest.fixture(scope="module")
def times_server(clinic_file, cliniko):
    def make(**config):
        return build_app(clinic_file, scratch_folder(), **config)

    app = app_for(make, clinic_file, scratch_folder(), cliniko, booking_link=LINK)
    with served(app) as url:
        yield url


def times_in(page):
    return page.locator('#region-panel [data-free-times="times"] .free-times-list a')


def test_a_region_page_shows_the_schedulers_times_each_a_link(page, times_server, cliniko):
    page.goto(times_server + "/pain/knee?side=left")
    expect(times_in(page)).to_have_count(6)
    first = times_in(page).first
    booking = LINK.replace("{date}", "2026-12-07").replace("{start}", "2026-12-07T17:30:00Z")
    assert first.get_attribute("href") == booking
    assert first.get_attribute("aria-label").startswith("Today, 9:30")
    assert first.inner_text().startswith("9:30"), "the day is said once, before its times"
    expect(page.locator("#region-panel .free-times-day").first).to_have_text("Today")
    expect(page.locator("#region-panel .free-times-more a")).to_have_text("More times")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


def test_a_click_on_the_map_brings_the_times_into_the_new_panel(page, times_server):
    page.goto(times_server + "/")
    page.click(LEFT_KNEE)
    expect(page.locator("#region-panel h2")).to_have_text("Left knee")
    expect(times_in(page)).to_have_count(6)


def test_spanish_pages_show_the_times_in_spanish(page, times_server):
    page.goto(times_server + "/es/pain/knee")
    expect(times_in(page).first).to_have_attribute("aria-label", re.compile(r"^Hoy, 9:30"))
    expect(page.locator("#region-panel .free-times-more a")).to_have_text("Más horarios")


def test_without_javascript_the_link_opens_a_page_of_times(make_page, times_server):
    page = make_page(java_script_enabled=False)
    page.goto(times_server + "/pain/knee?side=left")
    page.click('#region-panel [data-free-times="loading"] a')
    expect(page.locator("h1")).to_have_text("Our next free times")
    expect(page.locator(".free-times-list a")).to_have_count(6)
