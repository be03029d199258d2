"""Go-live pages in a real browser: a clinician reads a region as patients read it and signs it off with the keyboard;
the review pages, the privacy notice and the accessibility statement pass axe at a phone's width and a desk's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_map_in_browser import axe_violations
from tests.helpers import STAFF_PASSWORD, add_staff, sweep

pytestmark = pytest.mark.browser

CLINICIAN = "browser-clinician@clinic.example"


@pytest.fixture(scope="module")
def clinician(live_app):
    add_staff(live_app, email=CLINICIAN, role="clinician", display_name="Dana Ruiz, PT, DPT", review_languages="es")
    return CLINICIAN


def sign_in(page, live_server, email):
    page.goto(live_server + "/staff/login")
    page.fill("#email", email)
    page.fill("#password", STAFF_PASSWORD)
    page.click("text=Sign in")
    expect(page.locator("h1")).to_have_text("Content review")


@pytest.mark.parametrize("width", [360, *sweep(1280)])
@pytest.mark.parametrize("url", ["/privacy", "/es/privacy", "/accessibility", "/es/accessibility"])
def test_axe_finds_no_violations_on_the_statements(make_page, live_server, url, width):
    page = make_page(viewport={"width": width, "height": 800})
    page.goto(live_server + url)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_a_clinician_signs_a_spanish_region_off_with_the_keyboard_and_patients_see_it(
    make_page, live_server, clinician, content
):
    page = make_page(viewport={"width": 1280, "height": 900})
    sign_in(page, live_server, clinician)
    assert axe_violations(page) == []
    region = content.in_language("es").regions[-1]
    page.goto(f"{live_server}/staff/content/{region.slug}/es")
    assert axe_violations(page) == []
    button = page.get_by_role("button", name="Sign off as Dana Ruiz, PT, DPT")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text(f"Signed off: {region.name} in Spanish, by Dana Ruiz, PT, DPT.")
    expect(page.locator(".review-status [data-state]")).to_have_attribute("data-state", "signed")
    page.goto(f"{live_server}/es/pain/{region.slug}")
    expect(page.locator("#region-panel p.review")).to_contain_text("Revisado por Dana Ruiz, PT, DPT el ")


def test_the_review_page_fits_a_phone(make_page, live_server, clinician, content):
    page = make_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server, clinician)
    page.goto(f"{live_server}/staff/content/{content.regions[0].slug}/en")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_violations(page) == []
