"""Bad addresses and failures get a friendly page, never a stack trace."""

from __future__ import annotations

import pytest

from bodymap import create_app
from tests.helpers import CONTENT, HTMX, soup

BAD_ADDRESSES = [
    "/pain/spleen",
    "/pain/knee?side=middle",
    "/pain/neck?side=left",  # the neck has no sides
    "/pain/spleen/panel",
    "/pain/KNEE",
    "/nowhere",
]


@pytest.mark.parametrize("url", BAD_ADDRESSES)
def test_an_unknown_region_or_side_gives_a_404_that_lists_every_region(client, url):
    response = client.get(url)
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text() == "Page not found"
    linked = {a["href"].split("?")[0] for a in page.select(".region-index a")}
    assert linked == {f"/pain/{r.slug}" for r in CONTENT.regions}
    assert page.select_one('a[href^="tel:"]') is not None


def test_a_404_inside_the_panel_is_a_fragment_not_a_page(client):
    response = client.get("/pain/knee/panel?side=middle", headers=HTMX)
    assert response.status_code == 404
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.select_one("article h2").get_text() == "We could not find that page"


@pytest.fixture
def failing_client():
    app = create_app({"TESTING": False})

    @app.get("/test-failure")
    def fail():
        raise RuntimeError("secret internals")

    return app.test_client()


def test_an_unexpected_error_gives_a_friendly_500_with_the_phone_number(failing_client):
    response = failing_client.get("/test-failure")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    page = soup(response)
    assert page.select_one('a[href^="tel:"]')["href"] == "tel:+15032086278"
    assert CONTENT.clinic.phone in page.get_text()


def test_a_500_inside_the_panel_is_a_fragment(failing_client):
    response = failing_client.get("/test-failure", headers=HTMX)
    assert response.status_code == 500
    assert soup(response).find("html") is None
