"""Real-browser fixtures: the app on a loopback port, and the system Chromium driven by Playwright.

Chromium comes from the machine (Debian's `chromium`, or $CHROME_PATH); nothing is downloaded.
Without it these tests are skipped on a developer's machine and fail under CI=true.

Browser tests run against the shipped clinic file; those marked `every_clinic` (the home page, a click on
the map, the callback form, the phone number at phone widths) run against the second clinic too.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from bodymap import create_app
from bodymap.data import migrate

# As long as an action may take (context.set_default_timeout below): the browser and the server share two cores
# with the rest of the suite, and a swap that comes in 6 s on a busy machine is still a swap.
expect.set_options(timeout=10_000)

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    candidates = [os.environ.get("CHROME_PATH"), "/usr/bin/chromium", shutil.which("chromium")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


@pytest.fixture(scope="session")
def live_app(clinic_file, tmp_path_factory):
    """The app as production runs it (secure cookies, rate limits), on a throwaway database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live')}/bodymap.sqlite3"
    app = create_app({"DATABASE_URL": url, "CONTENT_PATH": str(clinic_file)})
    migrate.upgrade(app)
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    """The app served on 127.0.0.1 from a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's 'chromium' or set CHROME_PATH"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class ConsoleLog:
    """Every console error and uncaught exception a page reports.

    A test that opens an error page on purpose calls `expect_status(url)`: the
    browser's own note that the document came back 404 is then not an error.
    """

    def __init__(self):
        self.errors: list[str] = []
        self.expected_urls: set[str] = set()
        self.expected_messages: set[str] = set()

    def expect_status(self, url: str) -> None:
        self.expected_urls.add(url)

    def expect_message(self, text: str) -> None:
        """A console error the test causes on purpose, such as a refused frame."""
        self.expected_messages.add(text)

    def _on_console(self, message) -> None:
        if message.type != "error":
            return
        if message.text.startswith("Failed to load resource") and message.location.get("url") in self.expected_urls:
            return
        if any(text in message.text for text in self.expected_messages):
            return
        self.errors.append(f"{message.text} ({message.location.get('url')})")

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        return page


@pytest.fixture
def console():
    return ConsoleLog()


# The page's own readiness signal: loaded, and htmx running when the page uses it. A function string, since
# the pages' policy blocks eval (a bare expression would be evaluated with it).
READY = (
    "() => document.readyState === 'complete'"
    " && (!document.querySelector('script[src*=\"/htmx-\"]') || window.htmx !== undefined)"
)


def _ready_after_goto(page):
    """Every page.goto waits for READY, so no test clicks before the page's scripts are ready."""
    goto = page.goto

    def ready_goto(url, **kwargs):
        response = goto(url, **kwargs)
        page.wait_for_function(READY)
        return response

    page.goto = ready_goto
    return page


def _new_page(browser, console, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(10_000)
    page = console.watch(context.new_page())
    return context, _ready_after_goto(page) if context_options.get("java_script_enabled", True) else page


@pytest.fixture
def page(browser, console):
    """A desktop-sized page; the test fails if the browser console shows any error."""
    context, page = _new_page(browser, console, viewport={"width": 1280, "height": 800})
    yield page
    context.close()
    assert console.errors == []


@pytest.fixture
def make_page(browser, console):
    """Pages with other settings (phone viewport, JavaScript off); console errors fail the test."""
    contexts = []

    def make(**options):
        context, page = _new_page(browser, console, **options)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert console.errors == []
