"""The Spanish site and widget in a real browser: the map and panel pass axe and work from the keyboard, with htmx
and without JavaScript; a browser that prefers Spanish is offered the Spanish page; the widget opens in Spanish
with data-lang="es" and sizes itself and talks to its host page as the English one does."""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from bodymap import create_app
from bodymap.content import drawing
from bodymap.data import migrate
from tests.browser.test_embed_in_browser import EXAMPLE, HEAR_SIZES, SIZED, frame_fits, free_port, serve_host_page
from tests.browser.test_map_in_browser import LEFT_KNEE, axe_violations, panel_heading
from tests.helpers import sweep

pytestmark = pytest.mark.browser

SPANISH_FRAME_TITLE = "¿Dónde le duele? Mapa del cuerpo"


@pytest.fixture(scope="module")
def spanish(content):
    if "es" not in content.clinic.languages:
        pytest.skip("this clinic's content has no Spanish")
    return content.in_language("es")


@pytest.mark.every_clinic
def test_axe_finds_no_violations_on_the_spanish_map(page, live_server, spanish):
    page.goto(live_server + "/es/")
    assert page.evaluate("document.documentElement.lang") == "es"
    assert axe_violations(page) == []


def test_axe_finds_no_violations_on_the_spanish_panel_after_a_click(page, live_server, spanish):
    page.goto(live_server + "/es/")
    page.click(LEFT_KNEE)
    expect(panel_heading(page)).to_have_text(spanish.region("knee").label("left"))
    assert axe_violations(page) == []


def test_a_click_swaps_the_spanish_panel_without_loading_a_page(page, live_server, spanish):
    page.goto(live_server + "/es/")
    page.evaluate("window.loadedOnce = true")
    page.click(LEFT_KNEE)
    heading = spanish.region("knee").label("left")
    expect(panel_heading(page)).to_have_text(heading)
    assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
    assert page.url == live_server + "/es/pain/knee?side=left"
    assert heading in page.title()
    expect(page.locator("#panel-heading")).to_be_focused()
    assert page.locator('a[hreflang="en"]').first.get_attribute("href").startswith("/")


def test_tab_reaches_a_region_and_enter_opens_it_in_spanish(page, live_server, spanish):
    top = next(r for r in drawing.head_to_foot(spanish.regions) if any(m.view == "front" for m in r.markers))
    side = next(m.side for m in top.markers if m.view == "front")
    label = top.label(None if side == "centre" else side)
    page.goto(live_server + "/es/")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('svg[data-view]') !== null"):
            break
    focused = page.evaluate("[document.activeElement.dataset.region, document.activeElement.dataset.side]")
    assert focused == [top.slug, side]
    page.keyboard.press("Enter")
    expect(panel_heading(page)).to_have_text(label)
    assert page.url.startswith(live_server + f"/es/pain/{top.slug}")
    page.go_back()
    expect(panel_heading(page)).not_to_have_text(label)
    assert page.url == live_server + "/es/"


def test_without_javascript_a_circle_opens_its_spanish_page(make_page, live_server, spanish):
    page = make_page(java_script_enabled=False, viewport={"width": 1280, "height": 800})
    page.goto(live_server + "/es/")
    with page.expect_navigation():
        page.click(LEFT_KNEE)
    assert page.url == live_server + "/es/pain/knee?side=left"
    assert panel_heading(page).text_content() == spanish.region("knee").label("left")
    with page.expect_navigation():
        page.click('nav.region-list a[data-region="low-back"]')
    assert page.url == live_server + "/es/pain/low-back"
    assert panel_heading(page).text_content() == spanish.region("low-back").label(None)
    with page.expect_navigation():
        page.click("#region-panel [data-section='booking'] a[href*='/callback']")
    assert page.url == live_server + "/es/callback?region=low-back"
    assert page.evaluate("document.documentElement.lang") == "es"
    page.go_back()
    with page.expect_navigation():
        page.click('header a[hreflang="en"]')
    assert page.url == live_server + "/pain/low-back"
    assert page.evaluate("document.documentElement.lang") == "en"


@pytest.mark.parametrize("locale,offered", [("es-US", True), ("es", True), ("en-US", False), ("fr-FR", False)], ids=str)
def test_only_a_browser_that_prefers_spanish_sees_ver_en_espanol_at_the_top(
    make_page, live_server, spanish, locale, offered
):
    page = make_page(locale=locale, viewport={"width": 360, "height": 740})
    page.goto(live_server + "/")
    offer = page.locator("[data-suggest-language='es']")
    if offered:
        expect(offer).to_be_visible()
        assert offer.bounding_box()["y"] < page.locator("header").bounding_box()["y"], "above the header"
        with page.expect_navigation():
            offer.locator("a").click()
        assert page.url == live_server + "/es/"
        assert page.locator("[data-suggest-language]").count() == 0
    else:
        expect(offer).to_be_hidden()
    expect(page.locator("header a[hreflang]")).to_be_visible()  # the twin link, for every browser


@pytest.fixture(scope="module")
def spanish_sites(clinic_file, tmp_path_factory):
    """The app on 127.0.0.1, and the example host page on localhost (allowed) with data-lang="es" on the widget."""
    port = free_port()
    folder = tmp_path_factory.mktemp("embed-es")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/embed.sqlite3",
            "CONTENT_PATH": str(clinic_file),
            "EMBED_ORIGINS": (f"http://localhost:{port}",),
        }
    )
    migrate.upgrade(app)
    app_server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=app_server.serve_forever, daemon=True).start()
    app_base = f"http://127.0.0.1:{app_server.server_port}"
    html = EXAMPLE.read_text().replace("http://127.0.0.1:5000", app_base)
    html = html.replace("<div data-bodymap ", '<div data-bodymap data-lang="es" ', 1)
    assert 'data-lang="es"' in html
    host = serve_host_page(html, port)
    yield {"app": app_base, "host": f"http://localhost:{port}"}
    for server in (host, app_server):
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [360, *sweep(1280)])
def test_the_widget_with_data_lang_es_opens_in_spanish_sizes_itself_and_talks_the_same(
    make_page, spanish_sites, spanish, width
):
    page = make_page(viewport={"width": width, "height": 800})
    page.add_init_script(HEAR_SIZES)
    page.goto(spanish_sites["host"] + "/")
    expect(page.locator("iframe[data-bodymap-frame]")).to_have_attribute("title", SPANISH_FRAME_TITLE)
    frame = page.frame_locator("iframe[data-bodymap-frame]")
    expect(frame.locator('svg[data-view="front"]')).to_be_visible()
    page.wait_for_function(SIZED)
    inner = page.frames[1]
    inner.wait_for_function("() => window.htmx !== undefined")
    assert inner.url.startswith(spanish_sites["app"] + "/es/embed?host=")
    assert inner.evaluate("document.documentElement.lang") == "es"
    frame_fits(page)
    before = page.locator("iframe[data-bodymap-frame]").evaluate("f => f.offsetHeight")
    frame.locator(LEFT_KNEE).click()
    expect(frame.locator("#region-panel h2")).to_have_text(spanish.region("knee").label("left"))
    frame_fits(page)
    assert page.locator("iframe[data-bodymap-frame]").evaluate("f => f.offsetHeight") > before
    expect(page.locator("#event-log")).to_contain_text("region-selected: knee left")
    with page.expect_popup() as popup:
        frame.locator("a[data-callback-link]").click()
    form = popup.value
    form.wait_for_load_state()
    assert form.url == spanish_sites["app"] + "/es/callback?region=knee&side=left"
    assert form.evaluate("document.documentElement.lang") == "es"
    expect(page.locator("#event-log li")).to_have_text(["region-selected: knee left", "callback-opened"])


@pytest.mark.every_clinic
@pytest.mark.parametrize("width", [320, *sweep(360)])
@pytest.mark.parametrize("path", ["/", "/pain/knee?side=left", "/callback?region=knee&side=left", "/list"])
def test_spanish_pages_fit_a_small_phone_as_the_english_ones_do(make_page, live_server, spanish, path, width):
    """Spanish words run longer: no page may scroll sideways at 320 or 360 px in either language (the longer
    call button once pushed the Spanish map 9 px past the screen)."""
    page = make_page(viewport={"width": width, "height": 740})
    for prefix in ("", "/es"):
        page.goto(live_server + prefix + path)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width, f"{prefix + path} is {overflow} px wide at {width} px"
