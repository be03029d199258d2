"""Helpers the test modules share: the loaded content and HTML parsing."""

from __future__ import annotations

from bs4 import BeautifulSoup

from bodymap.content import configured_path, load

CONTENT = load(configured_path())
HTMX = {"HX-Request": "true"}
SECTION_ORDER = ["red-flags", "summary", "conditions", "treatments", "self-care", "booking"]


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def region_sides(region):
    """Every way a region can be opened: without a side, and with each of its sides."""
    return [None, *region.sides]
