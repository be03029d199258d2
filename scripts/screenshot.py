"""Make the README's screenshots from the real app in the system Chromium.

Usage: make screenshot (`python scripts/screenshot.py --staff` for the staff pages alone). The app runs on a
throwaway database with a few made-up requests, calls and views, so the staff pages have something to show. The
picture of the areas is drawn from the outline files alone.
"""

from __future__ import annotations

import datetime
import os
import random
import re
import sys
import tempfile
import threading
import uuid
from pathlib import Path

from playwright.sync_api import Error, expect, sync_playwright
from werkzeug.serving import make_server

from bodymap import content, create_app
from bodymap.content import patient_text
from bodymap.data import consent, migrate
from bodymap.data.models import (
    AuditEvent,
    CallbackArea,
    CallbackRequest,
    CallLog,
    CallLogArea,
    RegionView,
    SignOff,
    StaffMember,
    utcnow,
)
from bodymap.staff.accounts import hash_password

DOCS = Path(__file__).resolve().parent.parent / "docs"
EMAIL, PASSWORD = "screenshots@clinic.example", "maple river quiet lantern"  # an admin
DESK = "jo@clinic.example"
CLINICIAN = "dana@clinic.example"  # signs with the name below, and reviews English and Spanish
SIGNED = [("neck", "en"), ("neck", "es"), ("shoulder", "en"), ("low-back", "en")]  # made-up sign-offs
CHANGED = [("upper-back", "en")]  # signed off for text the file no longer has
HEADING_AT_TOP = "() => Math.abs(document.getElementById('panel-heading').getBoundingClientRect().top) < 20"
SVG = Path(__file__).resolve().parent.parent / "static" / "svg"
PUBLIC_SHOTS = [
    # (file, width, height, area to tap, heading it opens)
    ("screenshot.png", 1920, 1080, 'svg[data-view="back"] a[data-region="low-back"]', "Low back"),
    ("screenshot-phone.png", 360, 740, 'svg[data-view="front"] a[data-region="knee"][data-side="left"]', "Left knee"),
]

PAIN_LIST = [("/pain/neck", "6"), ("/pain/shoulder?side=left", "4"), ("/pain/low-back", "7")]  # (page, score)


def snap(page, path: str) -> None:
    """A screenshot; Chromium now and then refuses one while it is still painting, so once more after a pause."""
    try:
        page.screenshot(path=path)
    except Error:
        page.wait_for_timeout(500)
        page.screenshot(path=path)


def seed(app) -> None:
    """Made-up activity: views per side, three callback requests with their areas, and some logged calls."""
    rng = random.Random(4)
    today, now = utcnow().date(), utcnow()
    weights = {
        "low-back": 9,
        "neck": 7,
        "knee": 6,
        "shoulder": 5,
        "upper-back": 4,
        "hip": 3,
        "foot": 2,
        "ankle": 2,
        "hand-wrist": 2,
        "elbow": 1,
        "head": 3,
        "thigh": 2,
        "calf-shin": 2,
        "heel": 2,
        "buttock": 2,
        "jaw": 1,
        "chest": 1,
        "abdomen": 1,
        "groin": 1,
    }
    regions = {r.slug: r for r in content.get(app).regions}
    weights = {slug: weight for slug, weight in weights.items() if slug in regions}  # the clinic's regions alone
    paired = {slug for slug in weights if regions[slug].sides}

    def area():
        region = rng.choices(list(weights), weights=list(weights.values()))[0]
        return region, rng.choice(["left", "right", None]) if region in paired else None

    with app.extensions["bodymap.sessions"]() as session, session.begin():
        session.add(StaffMember(email=EMAIL, password_hash=hash_password(PASSWORD), role="admin"))
        desk = StaffMember(email=DESK, password_hash=hash_password(PASSWORD), display_name="Jo at the desk")
        session.add(desk)
        session.flush()
        session.add(
            StaffMember(
                email=CLINICIAN,
                password_hash=hash_password(PASSWORD),
                role="clinician",
                display_name="Dana Ruiz, PT, DPT",
                review_languages="en,es",
            )
        )
        for slug, lang in SIGNED + CHANGED:
            region = content.get(app, lang=lang).region(slug)
            digest = patient_text.digest(region) if (slug, lang) in SIGNED else "0" * 64
            when = now - datetime.timedelta(days=2, hours=len(slug))
            session.add(
                SignOff(region=slug, language=lang, digest=digest, signed_by="Dana Ruiz, PT, DPT", signed_at=when)
            )
        for days_ago in range(30):
            for region, weight in weights.items():
                for side in ("left", "right", "") if region in paired else ("",):
                    views = rng.randint(0, weight * (1 if side == "" else 2))
                    day = today - datetime.timedelta(days=days_ago)
                    session.add(RegionView(day=day, region=region, side=side, views=views))
        for minutes, name, areas, note in [
            (
                14,
                "Maria Gonzalez",
                [("low-back", None, 6, "aching,spreading", "over-3-months")],
                "Hurts to sit at work.",
            ),
            (
                52,
                "Sam Okafor",
                [
                    ("neck", None, 4, "aching", "6-12-weeks"),
                    ("shoulder", "left", 7, "sharp,tingling", "under-6-weeks"),
                    ("hand-wrist", "left", 3, "numb", None),
                ],
                "Started after painting the ceiling.",
            ),
            (95, "Tom Becker", [("knee", "left", 5, "", "under-6-weeks")], ""),
        ]:
            request = CallbackRequest(
                submission_key=str(uuid.uuid4()),
                name=name,
                phone="+15035550142",
                preferred_time="morning",
                note=note,
                created_at=now - datetime.timedelta(minutes=minutes),
            )
            request.areas = [
                CallbackArea(position=n, region=region, side=side, pain=pain, feelings=feelings, duration=duration)
                for n, (region, side, pain, feelings, duration) in enumerate(areas)
            ]
            agreed = request.created_at
            consent.record(session, request, "The clinic may call me at this number.", "en", agreed)
            session.add(request)
            session.flush()
            if name == "Tom Becker":  # called once already: the queue says so
                request.status = "contacted"
                called = now - datetime.timedelta(minutes=40)
                session.add(
                    CallLog(outcome="left_message", staff_id=desk.id, callback_id=request.id, created_at=called)
                )
                for minutes_ago, action, old, new in [
                    (44, "request_viewed", None, None),
                    (40, "call_logged", '{"status":"new"}', '{"call":1,"outcome":"left_message","status":"contacted"}'),
                ]:
                    session.add(AuditEvent(
                        at=now - datetime.timedelta(minutes=minutes_ago), staff_id=desk.id, actor=DESK, action=action,
                        target_kind="request", target_id=request.id, old_value=old, new_value=new,
                        address="203.0.113.0", request_id=uuid.uuid4().hex,
                    ))  # fmt: skip
        session.add(AuditEvent(at=now - datetime.timedelta(minutes=50), staff_id=desk.id, actor=DESK,
                               action="signed_in", address="203.0.113.0", request_id=uuid.uuid4().hex))  # fmt: skip
        session.add(AuditEvent(at=now - datetime.timedelta(hours=3), actor="unknown account", action="sign_in_failed",
                               address="198.51.100.0", request_id=uuid.uuid4().hex))  # fmt: skip
        for number in range(40):  # older requests, for insights' medians and pairs
            listed = list(dict.fromkeys(area() for _ in range(rng.choice([1, 1, 2, 2, 3]))))
            request = CallbackRequest(
                submission_key=str(uuid.uuid4()),
                name="Made-up patient",
                phone="+15035550142",
                preferred_time="any",
                note="",
                status="closed",
                created_at=now - datetime.timedelta(hours=5 + number * 15),
            )
            request.areas = [
                CallbackArea(position=n, region=region, side=side, pain=rng.randint(2, 9), feelings="")
                for n, (region, side) in enumerate(listed)
            ]
            session.add(request)
        for number in range(40):
            call = CallLog(outcome="booked", created_at=now - datetime.timedelta(hours=number * 7))
            call.areas = [CallLogArea(position=0, region=region, side=side) for region, side in [area()]]
            session.add(call)


def areas_picture(browser) -> None:
    """docs/areas.png: each region's area on both views, cut to the body, each region in a colour of its own (hues a
    golden angle apart in the file's order, so neighbours differ)."""
    hues: dict[str, float] = {}

    def tint(polygon: re.Match) -> str:
        region = re.search(r'data-region="([^"]+)"', polygon.group(0))[1]
        hue = hues.setdefault(region, (len(hues) * 137.5) % 360)
        return polygon.group(0).replace("<polygon", f'<polygon fill="hsl({hue:.0f},65%,62%)"')

    drawings = []
    for view in ("front", "back"):
        svg = (SVG / f"{view}.svg").read_text().replace('width="200" height="480"', 'width="300" height="720"')
        svg = svg.replace('fill="none" stroke="#c8102e"', 'fill-opacity=".5" stroke="#7a0a1c"')
        drawings.append(re.sub(r"<polygon [^>]*>", tint, svg))
    page = browser.new_page(viewport={"width": 640, "height": 740})
    page.set_content(f"<body style='margin:10px;display:flex;gap:20px;background:#fff'>{''.join(drawings)}</body>")
    snap(page, path=str(DOCS / "areas.png"))
    print("wrote docs/areas.png")


def main() -> int:
    staff_only = "--staff" in sys.argv
    folder = tempfile.mkdtemp()
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3", "SESSION_COOKIE_SECURE": False})
    migrate.upgrade(app)
    seed(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    chromium = os.environ.get("CHROME_PATH") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--disable-background-networking"])
        if not staff_only:  # `--staff`: the staff pages' pictures alone
            areas_picture(browser)
            for name, width, height, circle, heading in PUBLIC_SHOTS:
                page = browser.new_page(viewport={"width": width, "height": height}, reduced_motion="reduce")
                page.goto(base + "/")
                page.click(circle)
                expect(page.locator("#region-panel h2")).to_have_text(heading)
                page.mouse.move(0, 0)
                page.evaluate("window.scrollTo(0, 0)")
                snap(page, path=str(DOCS / name))
                print(f"wrote docs/{name}")
            for name, width, height in [("region-list.png", 1280, 800), ("region-list-phone.png", 360, 740)]:
                # A region page scrolled down to the list of all areas: the map stays clear of the list.
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(base + "/pain/knee?side=left")
                page.evaluate("""() => {
                    const list = document.querySelector("nav.region-list");
                    window.scrollTo(0, list.getBoundingClientRect().top + scrollY - innerHeight * 0.45);
                }""")
                snap(page, path=str(DOCS / name))
                print(f"wrote docs/{name}")
            for name, width, height in [("pain-list.png", 1280, 860), ("pain-list-phone.png", 360, 780)]:
                # A patient lists three areas with their scores, from each region's page: the list keeps to the tab.
                page = browser.new_page(
                    viewport={"width": width, "height": height}, device_scale_factor=2 if width < 400 else 1
                )
                for region, score in PAIN_LIST:
                    page.goto(base + region)
                    page.select_option("#new-pain", score)
                    page.click('button[name="action"][value="add"]')
                    expect(page.locator("#region-panel h2").first).to_have_text("Your pain list")
                page.mouse.move(0, 0)
                page.evaluate("window.scrollTo(0, 0)")
                snap(page, path=str(DOCS / name))
                print(f"wrote docs/{name}")
            # The Spanish site on a phone: the map at /es/, a circle tapped, its panel in Spanish.
            page = browser.new_page(viewport={"width": 360, "height": 740}, device_scale_factor=2)
            page.goto(base + "/es/")
            page.click('svg[data-view="front"] a[data-region="knee"][data-side="left"]')
            page.wait_for_function(HEADING_AT_TOP)
            snap(page, path=str(DOCS / "spanish-phone.png"))
            print("wrote docs/spanish-phone.png")
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(base + "/")
            page.click('svg[data-view="front"] a[data-region="knee"][data-side="left"]')
            page.wait_for_function(HEADING_AT_TOP)
            page.evaluate("window.scrollBy(0, 900)")
            page.wait_for_function("() => !document.querySelector('[data-call-bar]').hidden")
            snap(page, path=str(DOCS / "panel-phone.png"))
            print("wrote docs/panel-phone.png")
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/staff/login")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("text=Sign in")
        # A status changed from the queue: the audit trail will show it.
        page.locator("table.queue tbody tr").filter(has_text="Maria Gonzalez").locator(
            "button[value='contacted']"
        ).click()
        page.reload()
        snap(page, path=str(DOCS / "staff-queue.png"))
        # A request's call guide: its three areas, their red-flag questions together, first.
        page.locator("table.queue tbody tr").filter(has_text="Sam Okafor").locator("a.guide-link").click()
        expect(page.locator("#region-panel h2")).to_contain_text("phone script")
        page.mouse.move(0, 0)
        page.evaluate("window.scrollTo(0, 0)")
        snap(page, path=str(DOCS / "staff-call-guide.png"))
        page.goto(base + "/staff/insights?days=30")
        snap(page, path=str(DOCS / "staff-insights.png"))
        print("wrote docs/staff-queue.png, docs/staff-call-guide.png, docs/staff-insights.png")
        # The admin's pages: the audit trail, then the accounts after adding one (its link shown once).
        page.goto(base + "/staff/audit")
        snap(page, path=str(DOCS / "staff-audit.png"))
        page.goto(base + "/staff/accounts")
        page.fill("#email", "sam@clinic.example")
        page.fill("#name", "Sam Lee")
        page.click("text=Add the account")
        snap(page, path=str(DOCS / "staff-account-added.png"))
        page.goto(base + "/staff/accounts")
        snap(page, path=str(DOCS / "staff-accounts.png"))
        print("wrote docs/staff-audit.png, docs/staff-accounts.png, docs/staff-account-added.png")
        # A clinician's review page: the panel as patients read it, beside the sign-off and the figures.
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/staff/login")
        page.fill("#email", CLINICIAN)
        page.fill("#password", PASSWORD)
        page.click("text=Sign in")
        page.goto(base + "/staff/content/knee/en")
        snap(page, path=str(DOCS / "staff-review.png"))
        print("wrote docs/staff-review.png")
        browser.close()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
