"""Make the README's screenshots from the real app in the system Chromium.

Usage: make screenshot  (writes docs/screenshot.png and docs/screenshot-phone.png)
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from bodymap import create_app

DOCS = Path(__file__).resolve().parent.parent / "docs"
SHOTS = [
    # (file, width, height, circle to click, heading it opens)
    ("screenshot.png", 1280, 800, 'svg[data-view="back"] a[data-region="low-back"]', "Low back"),
    ("screenshot-phone.png", 360, 740, 'svg[data-view="front"] a[data-region="knee"][data-side="left"]', "Left knee"),
]


def main() -> int:
    server = make_server("127.0.0.1", 0, create_app())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    chromium = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-background-networking"])
        for name, width, height, circle, heading in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(base + "/")
            page.click(circle)
            expect(page.locator("#region-panel h2")).to_have_text(heading)
            page.mouse.move(0, 0)
            if width < 600:
                page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(DOCS / name))
            print(f"wrote docs/{name}")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
