"""Ready for a real clinic: its website, hours, locations and logo when given (who reviewed each page is in
test_sign_off.py)."""

from __future__ import annotations

import datetime

import pytest
import yaml

from bodymap.content import OpeningHours
from tests.helpers import soup

HOURS = [
    {"days": ["monday", "tuesday", "wednesday", "thursday", "friday"], "open": "07:00", "close": "18:30"},
    {"days": ["saturday"], "open": "09:00", "close": "12:00"},
]
LOCATIONS = [
    {"name": "Main clinic", "address": ["100 Example Street, Suite 2", "Springfield, ST 00000"]},
    {"name": "Eastside"},
]


def app_with(make_app, clinic_file, folder, change) -> object:
    """An app on a copy of this run's clinic file, changed by `change(data)`."""
    data = yaml.safe_load(clinic_file.read_text(encoding="utf-8"))
    change(data)
    path = folder / "regions.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return make_app(CONTENT_PATH=str(path))


def bare_clinic(data) -> None:
    """A clinic that gives no website, hours, addresses or logo."""
    for key in ("website", "hours", "logo"):
        data["clinic"].pop(key, None)
    for location in data["clinic"].get("locations") or []:
        location.pop("address", None)


def ready_clinic(data) -> None:
    data["clinic"].update(website="https://www.example.org/", hours=HOURS, locations=LOCATIONS, logo="favicon.svg")


@pytest.fixture(scope="session")
def ready(make_app, clinic_file, tmp_path_factory):
    return app_with(make_app, clinic_file, tmp_path_factory.mktemp("ready"), ready_clinic)


@pytest.mark.parametrize("url", ["/", "/pain/knee", "/callback"])
def test_the_header_shows_the_logo_named_for_the_clinic(ready, content, url):
    page = soup(ready.test_client().get(url))
    link = page.select_one("header.site-header a.clinic-name")
    logo = link.select_one("img.clinic-logo")
    assert logo["alt"] == content.clinic.name
    assert (int(logo["width"]), int(logo["height"])) == (32, 32)  # the favicon's viewBox
    assert link.select_one("span")["aria-hidden"] == "true"  # the name is read once, from the logo
    image = ready.test_client().get(logo["src"])
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"


@pytest.mark.parametrize("url", ["/", "/pain/knee"])
def test_the_footer_shows_the_website_hours_and_locations(ready, url):
    footer = soup(ready.test_client().get(url)).select_one("footer.site-footer")
    website = footer.select_one('a[href="https://www.example.org/"]')
    assert website.get_text() == "www.example.org"
    rows = footer.select(".clinic-hours dl > div")
    assert [row.dt.get_text() for row in rows] == ["Monday to Friday", "Saturday"]
    assert [[t["datetime"] for t in row.select("time")] for row in rows] == [["07:00", "18:30"], ["09:00", "12:00"]]
    assert rows[0].dd.get_text() == "7 AM to 6:30 PM"
    assert rows[1].dd.get_text() == "9 AM to 12 PM"
    addresses = footer.select(".clinic-locations address")
    assert [list(a.stripped_strings) for a in addresses] == [
        ["Main clinic", "100 Example Street, Suite 2", "Springfield, ST 00000"],
        ["Eastside"],
    ]
    labels = {section["aria-labelledby"] for section in footer.select(".clinic-details section")}
    assert all(footer.select_one(f"#{label}") for label in labels)
    assert footer.find(["h1", "h2", "h3"]) is None  # the page keeps its own headings


def test_without_them_the_header_and_footer_name_only_the_clinic_city_and_phone(
    make_app, clinic_file, tmp_path, content
):
    client = app_with(make_app, clinic_file, tmp_path, bare_clinic).test_client()
    page = soup(client.get("/pain/knee"))
    assert page.select_one("header.site-header img") is None
    assert page.select_one("header.site-header a.clinic-name").get_text() == content.clinic.name
    footer = page.select_one("footer.site-footer")
    assert footer.select_one(".clinic-details") is None
    # The only links: the phone (the free language-help notice gives it again, once per language), and the
    # privacy notice and accessibility statement.
    assert {a["href"] for a in footer.select("a")} == {content.clinic.tel, "/privacy", "/accessibility"}


@pytest.mark.parametrize(
    ("time", "label"),
    [((7, 0), "7 AM"), ((12, 30), "12:30 PM"), ((0, 15), "12:15 AM"), ((18, 0), "6 PM")],
)
def test_opening_times_read_as_patients_say_them(time, label):
    assert OpeningHours.label(datetime.time(*time)) == label
