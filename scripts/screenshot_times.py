"""Make the README's screenshot of a panel with the clinic's next free times, on a 360 px phone.

Usage: make screenshot (after the other screenshots). The times come from the suite's stand-in Cliniko on loopback
(tests/schedulers.py), with the app's clock at a fixed Monday morning, so the picture is the same on every run.
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the stand-in lives with the tests

from bodymap import create_app  # noqa: E402
from bodymap.data import migrate  # noqa: E402
from bodymap.settings import content_path  # noqa: E402
from tests.schedulers import ZONE, FakeCliniko, app_for  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
LINK = "https://cal.com/clinic/new-patient?date={date}&slot={start}"


def main() -> int:
    folder = Path(tempfile.mkdtemp())

    def make_app(**config):
        app = create_app(
            {"DATABASE_URL": f"sqlite:///{folder}/times.sqlite3", "SESSION_COOKIE_SECURE": False, **config}
        )
        migrate.upgrade(app)
        return app

    zone = ZoneInfo(ZONE)
    with FakeCliniko() as cliniko:
        cliniko.offer(
            *(datetime.datetime(2026, 12, d, h, m, tzinfo=zone) for d in (7, 8, 9) for h, m in ((9, 30), (14, 0)))
        )
        app = app_for(make_app, content_path(), folder, cliniko, booking_link=LINK)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        chromium = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-background-networking"])
            page = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2)
            page.goto(base + "/pain/knee?side=left")
            expect(page.locator('#region-panel [data-free-times="times"] a')).to_have_count(7)
            page.evaluate("""() => {
                const booking = document.querySelector('#region-panel [data-section="booking"]');
                window.scrollTo(0, booking.getBoundingClientRect().top + scrollY - 16);
            }""")
            page.mouse.move(0, 0)
            page.screenshot(path=str(DOCS / "panel-times-phone.png"))
            print("wrote docs/panel-times-phone.png")
            browser.close()
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
