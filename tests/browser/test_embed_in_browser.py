"""The widget on another site's page, in a real browser: it fits, it talks, it stays in its frame."""

from __future__ import annotations

import http.server
import socket
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from bodymap import create_app
from bodymap.data import migrate
from tests.helpers import sweep

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "host.html"
KNEE = 'svg[data-view="front"] a[data-region="knee"][data-side="left"]'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_host_page(html: str, port: int) -> http.server.HTTPServer:
    """The example host page on its own port: another origin than the app."""
    body = html.encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the name http.server calls
            if self.path != "/":
                self.send_response(204)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def sites(clinic_file, tmp_path_factory):
    """The app on 127.0.0.1, the clinic's page on localhost (allowed), and a stranger's page (not allowed)."""
    allowed_port, stranger_port = free_port(), free_port()
    folder = tmp_path_factory.mktemp("embed-live")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{folder}/embed.sqlite3",
            "CONTENT_PATH": str(clinic_file),
            "EMBED_ORIGINS": (f"http://localhost:{allowed_port}",),
        }
    )
    migrate.upgrade(app)
    app_server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=app_server.serve_forever, daemon=True).start()
    app_base = f"http://127.0.0.1:{app_server.server_port}"
    html = EXAMPLE.read_text().replace("http://127.0.0.1:5000", app_base)
    servers = [serve_host_page(html, port) for port in (allowed_port, stranger_port)]
    yield {"app": app_base, "host": f"http://localhost:{allowed_port}", "stranger": f"http://localhost:{stranger_port}"}
    for server in [*servers, app_server]:
        server.shutdown()
        server.server_close()


# On the host page: every size message the frame sends, so a test can wait for the first (the frame's
# scripts, htmx first, have run by then) instead of clicking into a frame that is not ready.
HEAR_SIZES = """
window.bodymapSizes = [];
window.addEventListener("message", (event) => {
  const data = event.data;
  if (data && data.source === "bodymap" && data.type === "resize") window.bodymapSizes.push(data.height);
});
"""
SIZED = "() => window.bodymapSizes.length > 0"


def open_host(make_page, sites, width, **options):
    page = make_page(viewport={"width": width, "height": 800}, **options)
    page.add_init_script(HEAR_SIZES)
    page.goto(sites["host"] + "/")
    frame_element = page.locator("iframe[data-bodymap-frame]")
    expect(frame_element).to_have_attribute("title", "Where's your pain? Body map")
    frame = page.frame_locator("iframe[data-bodymap-frame]")
    expect(frame.locator('svg[data-view="front"]')).to_be_visible()
    page.wait_for_function(SIZED)
    page.frames[1].wait_for_function("() => window.htmx !== undefined")
    return page, frame


def frame_fits(page) -> None:
    """The iframe is as tall as its content, and the content has no scroll bar of its own."""
    inner = page.frames[1]
    frame = page.locator("iframe[data-bodymap-frame]")
    content_height = "Math.ceil(document.documentElement.getBoundingClientRect().height)"
    deadline = time.monotonic() + 10  # both sides change while a resize settles: read them until they agree
    while (heights := (frame.evaluate("f => f.offsetHeight"), inner.evaluate(content_height)))[0] != heights[1]:
        assert time.monotonic() < deadline, f"the frame is {heights[0]} px tall, its content {heights[1]} px"
        page.wait_for_timeout(100)
    scroll, client = inner.evaluate("[document.documentElement.scrollHeight, document.documentElement.clientHeight]")
    assert scroll <= client
    assert inner.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_widget_renders_with_a_lazy_titled_frame(make_page, sites):
    page, _ = open_host(make_page, sites, 1280)
    frame_element = page.locator("iframe[data-bodymap-frame]")
    assert frame_element.get_attribute("loading") == "lazy"
    assert page.frames[1].url.startswith(sites["app"] + "/embed?host=")


@pytest.mark.parametrize("width", [320, 1280, *sweep(360, 768, 1440)])
def test_a_click_swaps_the_panel_in_the_frame_and_the_frame_follows_its_height(make_page, sites, width):
    page, frame = open_host(make_page, sites, width)
    frame_fits(page)
    before = page.locator("iframe[data-bodymap-frame]").evaluate("f => f.offsetHeight")
    page.frames[1].evaluate("window.loadedOnce = true")
    frame.locator(KNEE).click()
    expect(frame.locator("#region-panel h2")).to_have_text("Left knee")
    assert page.frames[1].evaluate("window.loadedOnce") is True
    frame_fits(page)
    assert page.locator("iframe[data-bodymap-frame]").evaluate("f => f.offsetHeight") > before
    assert page.frames[1].url.startswith(sites["app"] + "/embed?"), "the frame's address must not change"


def test_the_frame_follows_a_resize_or_rotation(make_page, sites):
    page, frame = open_host(make_page, sites, 360)
    frame.locator(KNEE).click()
    expect(frame.locator("#region-panel h2")).to_have_text("Left knee")
    frame_fits(page)
    page.set_viewport_size({"width": 740, "height": 360})  # the phone turned sideways
    frame_fits(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    frame_fits(page)


def test_the_host_page_hears_the_region_and_the_callback_and_nothing_else(make_page, sites):
    page, frame = open_host(make_page, sites, 1280)
    frame.locator(KNEE).click()
    expect(page.locator("#event-log")).to_contain_text("region-selected: knee left")
    with page.expect_popup() as popup:
        frame.locator("a[data-callback-link]").click()
    form = popup.value
    form.wait_for_load_state()
    assert form.url == sites["app"] + "/callback?region=knee&side=left"
    assert form.evaluate("window.top === window"), "the form opens top-level, never in the frame"
    expect(page.locator("#event-log li")).to_have_text(["region-selected: knee left", "callback-opened"])


def test_a_tap_before_the_scripts_are_ready_opens_the_regions_page_inside_the_frame_still_sized(
    make_page, sites, console
):
    console.expect_message("net::ERR_FAILED")  # the htmx this test keeps from loading
    page = make_page(viewport={"width": 360, "height": 800})
    page.add_init_script(HEAR_SIZES)
    # htmx never arrives on the first load: the tap lands on the plain link, as it does before the scripts are ready.
    page.route("**/htmx-*.js", lambda route: route.abort())
    page.goto(sites["host"] + "/")
    page.wait_for_function(SIZED)
    frame = page.frame_locator("iframe[data-bodymap-frame]")
    assert page.frames[1].evaluate("() => window.htmx === undefined")
    page.unroute("**/htmx-*.js")
    heard = page.evaluate("() => window.bodymapSizes.length")
    frame.locator(KNEE).click()
    expect(frame.locator("#region-panel h2")).to_have_text("Left knee")
    inner = page.frames[1]
    assert inner.url.startswith(sites["app"] + "/embed/pain/knee?"), "the link's own page, in the frame"
    assert inner.evaluate("() => window.top !== window")
    page.wait_for_function(f"() => window.bodymapSizes.length > {heard}")  # the new page sized the frame
    frame_fits(page)


def test_the_back_view_can_be_chosen_inside_the_frame(make_page, sites):
    page, frame = open_host(make_page, sites, 360)
    expect(frame.locator('svg[data-view="back"]')).to_be_hidden()
    frame.locator('a[data-show-view="back"]').click()
    expect(frame.locator('svg[data-view="back"]')).to_be_visible()
    frame.locator('svg[data-view="back"] a[data-region="low-back"]').click()
    expect(frame.locator("#region-panel h2")).to_have_text("Low back")
    frame_fits(page)


def test_a_site_not_in_embed_origins_cannot_frame_it(make_page, sites, console):
    console.expect_message('violates the following Content Security Policy directive: "frame-ancestors')
    page = make_page(viewport={"width": 1280, "height": 800})
    page.goto(sites["stranger"] + "/")
    page.wait_for_timeout(1500)
    frame = page.frames[1] if len(page.frames) > 1 else None
    assert frame is None or not frame.url.startswith(sites["app"]) or frame.locator("svg[data-view]").count() == 0
    assert page.locator("#event-log li").count() == 0


def test_on_a_site_not_in_embed_origins_the_box_becomes_a_link_within_5_seconds_and_the_console_says_why(
    make_page, sites, console
):
    console.expect_message('violates the following Content Security Policy directive: "frame-ancestors')
    page = make_page(viewport={"width": 1280, "height": 800})
    warnings = []
    page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
    started = time.monotonic()
    page.goto(sites["stranger"] + "/")
    link = page.locator("[data-bodymap] p.bodymap-fallback a")
    link.wait_for(timeout=5000)
    assert time.monotonic() - started < 5
    assert link.get_attribute("href") == sites["app"] + "/"
    assert link.text_content() == "Where's your pain? Open the body map"
    assert page.locator("[data-bodymap] iframe").count() == 0
    [said] = [text for text in warnings if text.startswith("bodymap:")]
    assert f"Add {sites['stranger']} to EMBED_ORIGINS on {sites['app']}" in said
    link.click()
    page.wait_for_url(sites["app"] + "/")
    assert page.locator("h1").text_content() == "Where's your pain?"


def test_an_allowed_site_keeps_its_widget_however_long_it_is_open(make_page, sites):
    page, frame = open_host(make_page, sites, 1280)
    page.wait_for_timeout(2500)  # longer than the loader waits for a refused frame to speak
    assert page.locator("p.bodymap-fallback").count() == 0
    expect(frame.locator('svg[data-view="front"]')).to_be_visible()


def test_the_widget_passes_axe_inside_its_frame(make_page, sites):
    from tests.browser.test_map_in_browser import axe_violations

    page = make_page(viewport={"width": 360, "height": 740})
    page.goto(sites["app"] + "/embed/pain/knee?side=left")
    assert axe_violations(page) == []


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_after_a_tap_on_a_phone_the_host_page_brings_the_panel_heading_into_view(make_page, sites, motion):
    page = make_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, reduced_motion=motion)
    page.add_init_script(HEAR_SIZES)
    page.goto(sites["host"] + "/")
    page.wait_for_function(SIZED)
    page.frames[1].wait_for_function("() => window.htmx !== undefined")
    frame = page.frame_locator("iframe[data-bodymap-frame]")
    frame.locator(KNEE).tap()
    expect(frame.locator("#region-panel h2")).to_have_text("Left knee")
    # The frame is another origin: where its heading sits in it comes from the frame itself.
    inside = page.frames[1].evaluate("() => document.getElementById('panel-heading').getBoundingClientRect().top")
    frame_top = page.locator("iframe[data-bodymap-frame]").evaluate("f => f.offsetTop")
    assert frame_top + inside > 740, "unscrolled, the heading would sit below the phone's screen"
    page.wait_for_function(
        """(inside) => {
            const top = document.querySelector("iframe[data-bodymap-frame]").getBoundingClientRect().top + inside;
            return top >= 0 && top < 60;
        }""",
        arg=inside,
    )


def test_the_host_page_scrolls_only_for_its_own_frame_and_a_sane_place(make_page, sites):
    page, _ = open_host(make_page, sites, 360)
    # A message that claims to be bodymap's from the host page itself, or a place off any page, moves nothing.
    page.evaluate("""() => {
        window.postMessage({source: "bodymap", type: "show-heading", top: 5000}, "*");
        window.parent.postMessage({source: "bodymap", type: "show-heading", top: -1}, "*");
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.scrollY") == 0
