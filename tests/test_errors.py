"""Bad addresses and failures get a friendly page, never a stack trace."""

from __future__ import annotations

import pytest

from tests.helpers import HTMX, soup

BAD_ADDRESSES = [
    "/pain/spleen",
    "/pain/spleen/",
    "/pain/knee?side=middle",
    "/pain/spleen/panel",
    "/nowhere",
]


@pytest.mark.parametrize("url", BAD_ADDRESSES)
def test_an_unknown_region_or_side_gives_a_404_that_lists_every_region(client, content, url):
    response = client.get(url)
    assert response.status_code == 404
    page = soup(response)
    assert page.h1.get_text() == "Page not found"
    linked = {a["href"].split("?")[0] for a in page.select(".region-index a")}
    assert linked == {f"/pain/{r.slug}" for r in content.regions}
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel


def test_the_404_page_has_one_main_heading_the_list_under_it_and_a_way_back_to_the_map(client):
    page = soup(client.get("/pain/spleen"))
    main = page.select_one("main")
    [h1] = main.select("h1")
    headings = main.select("h1, h2, h3, h4")
    region_list = main.select_one("ul.region-index")
    order = {id(tag): index for index, tag in enumerate(main.find_all(True))}  # document order
    before_list = [h for h in headings if order[id(h)] < order[id(region_list)]]
    assert [h.name for h in before_list] == ["h1", "h2"], "the main heading, then the list's own heading"
    assert before_list[1].get_text() == "All areas of the body"
    assert before_list[1].find_next("ul") is region_list
    assert h1.find_next("a", href="/").get_text() == "Back to the body map"
    assert order[id(h1)] < order[id(main.select_one('a[href="/"]'))] < order[id(region_list)]


def test_a_404_inside_the_panel_is_a_fragment_not_a_page(client, content):
    response = client.get("/pain/knee/panel?side=middle", headers=HTMX)
    assert response.status_code == 404
    fragment = soup(response)
    assert fragment.find("html") is None
    assert fragment.select_one("article h2").get_text() == "We could not find that page"
    assert fragment.select_one("h1") is None, "the page already has its heading"
    linked = {a["href"].split("?")[0] for a in fragment.select(".region-index a")}
    assert linked == {f"/pain/{r.slug}" for r in content.regions}


@pytest.fixture
def failing_client(make_app):
    app = make_app(TESTING=False)

    @app.get("/test-failure")
    def fail():
        raise RuntimeError("secret internals")

    return app.test_client()


def test_an_unexpected_error_gives_a_friendly_500_with_the_phone_number(failing_client, content):
    response = failing_client.get("/test-failure")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    page = soup(response)
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    [h1] = page.select("main h1")
    assert not page.select("main h2"), "one heading: the page's own"
    assert page.select_one('main a[href="/"]') is not None
    assert content.clinic.phone in page.get_text()


def test_when_even_the_500_page_fails_the_answer_is_still_ours_with_the_phone_number(failing_client, content):
    def broken(*args, **kwargs):
        raise RuntimeError("the error page itself fails")

    from bodymap.web import errors

    original, errors._render = errors._render, broken
    try:
        response = failing_client.get("/test-failure")
    finally:
        errors._render = original
    assert response.status_code == 500
    assert "Content-Security-Policy" in response.headers, "our headers, not the server's bare 500"
    page = soup(response)
    assert page.h1.get_text() == "Sorry, something went wrong"
    assert page.select_one('a[href^="tel:"]')["href"] == content.clinic.tel
    assert "secret internals" not in response.get_data(as_text=True)


def test_a_500_inside_the_panel_is_a_fragment(failing_client):
    response = failing_client.get("/test-failure", headers=HTMX)
    assert response.status_code == 500
    assert soup(response).find("html") is None
