"""The site's address is configuration, never the request: only its own hosts are served, and no forged
Host ever reaches a page the process keeps, a link that leaves the page, or a redirect."""

from __future__ import annotations

import pytest

from bodymap import create_app
from bodymap.settings import ConfigError, from_environment, served_hosts
from bodymap.web.hosts import host_allowed
from tests.helpers import HTMX, soup

pytestmark = pytest.mark.one_clinic  # headers and hosts: the same whatever the clinic's file says

FORGED = "evil.example"
LONG_LABEL = "a" * 64 + ".example"


def assert_refused(response) -> None:
    """The 400 page, with the security headers, that names no host."""
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "own address" in soup(response).get_text()
    assert FORGED not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host", ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:8000", "[::1]", "[::1]:5000", "LOCALHOST:80"]
)
def test_without_public_url_loopback_is_served_on_any_port(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    [FORGED, f"{FORGED}:5000", "localhost.evil.example", "127.0.0.2", "[::2]", LONG_LABEL, "localhost:99999", ""],
)
def test_without_public_url_any_other_host_gets_the_400_page(client, host):
    assert_refused(client.get("/pain/neck", headers={"Host": host}))


def test_a_host_label_over_63_characters_is_the_same_400_not_a_500(client):
    for url, headers in [("/", {}), ("/pain/neck/panel", HTMX), ("/staff", {}), ("/no-such-page", {})]:
        assert_refused(client.get(url, headers={**headers, "Host": LONG_LABEL}))
    assert_refused(client.post("/callback", headers={"Host": LONG_LABEL}))


def test_a_forged_host_first_is_never_named_by_any_later_response(make_app, content):
    app = make_app()
    client = app.test_client()
    slug = content.regions[0].slug
    urls = [("/", {}), (f"/pain/{slug}", {}), (f"/pain/{slug}/panel", HTMX), ("/embed", {}), ("/sitemap.xml", {})]
    urls += [("/robots.txt", {}), (f"/pain/{slug.upper()}", {}), ("/staff", {})]
    for url, headers in urls:  # the forged requests come first, while nothing is kept yet
        assert_refused(client.get(url, headers={**headers, "Host": FORGED}))
    for url, headers in urls:
        for response in (client.get(url, headers=headers), client.get(url, headers=headers)):
            assert FORGED not in response.get_data(as_text=True), url
            assert all(FORGED not in value for _, value in response.headers.items()), url
    canonical = soup(client.get(f"/pain/{slug}")).select_one('link[rel="canonical"]')["href"]
    assert canonical == f"http://localhost/pain/{slug}"


def test_with_public_url_only_its_host_and_allowed_hosts_are_served(make_app):
    app = make_app(PUBLIC_URL="https://pain.clinic.example", ALLOWED_HOSTS=("www.clinic.example",))
    client = app.test_client()
    assert client.get("/", headers={"Host": "pain.clinic.example"}).status_code == 200
    assert client.get("/", headers={"Host": "pain.clinic.example:8443"}).status_code == 200
    assert client.get("/", headers={"Host": "www.clinic.example"}).status_code == 200
    for host in ("localhost", "127.0.0.1:8000", FORGED, "clinic.example"):
        assert_refused(client.get("/", headers={"Host": host}))


def test_links_that_leave_the_page_use_public_url_whatever_host_asked(make_app, content):
    app = make_app(PUBLIC_URL="https://pain.clinic.example", ALLOWED_HOSTS=("www.clinic.example",))
    client = app.test_client()
    slug = content.regions[0].slug
    page = soup(client.get(f"/pain/{slug}", headers={"Host": "www.clinic.example"}))
    assert page.select_one('link[rel="canonical"]')["href"] == f"https://pain.clinic.example/pain/{slug}"
    assert page.select_one('meta[property="og:url"]')["content"] == f"https://pain.clinic.example/pain/{slug}"
    robots = client.get("/robots.txt", headers={"Host": "www.clinic.example"}).get_data(as_text=True)
    assert "Sitemap: https://pain.clinic.example/sitemap.xml" in robots.splitlines()


def test_slash_redirects_go_to_public_url_not_the_request_host(make_app):
    app = make_app(PUBLIC_URL="https://pain.clinic.example", ALLOWED_HOSTS=("www.clinic.example",))
    response = app.test_client().get("/staff", headers={"Host": "www.clinic.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "https://pain.clinic.example/staff/"


def test_without_public_url_slash_redirects_are_paths(client):
    response = client.get("/staff", headers={"Host": "127.0.0.1:5000"})
    assert response.status_code == 308 and response.headers["Location"] == "/staff/"


def test_behind_a_trusted_proxy_the_forwarded_host_is_checked(make_app):
    app = make_app(PUBLIC_URL="https://pain.clinic.example", TRUSTED_PROXIES=1)
    client = app.test_client()
    ok = client.get("/", headers={"X-Forwarded-Host": "pain.clinic.example", "X-Forwarded-Proto": "https"})
    assert ok.status_code == 200 and "Strict-Transport-Security" in ok.headers
    forged = client.get("/", headers={"Host": "pain.clinic.example", "X-Forwarded-Host": FORGED})
    assert_refused(forged)


def test_health_checks_answer_whatever_the_host(make_app):
    client = make_app(PUBLIC_URL="https://pain.clinic.example").test_client()
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).status_code == 200


def test_host_names_are_checked_label_by_label():
    names = frozenset({"localhost", "[::1]", "pain.clinic.example"})
    assert host_allowed("pain.clinic.example:443", names)
    assert host_allowed("[::1]:8080", names)
    assert not host_allowed("pain.clinic.example:0", names)
    assert not host_allowed("pain.clinic.example:", names)
    assert not host_allowed("pain.clinic.example\r\nX: y", names)
    assert not host_allowed("user@localhost", names)
    assert not host_allowed(None, names)


def test_served_hosts_follow_public_url():
    assert served_hosts("", ()) == ("localhost", "127.0.0.1", "[::1]")
    assert served_hosts("https://pain.clinic.example", ("www.clinic.example",)) == (
        "pain.clinic.example",
        "www.clinic.example",
    )
    assert served_hosts("http://127.0.0.1:8000", ()) == ("127.0.0.1",)


@pytest.mark.parametrize("value", ["https://www.clinic.example", "clinic.example/path", "a_b.example", LONG_LABEL])
def test_allowed_hosts_must_be_plain_host_names(monkeypatch, tmp_path, value):
    monkeypatch.setenv("ALLOWED_HOSTS", value)
    with pytest.raises(ConfigError, match="ALLOWED_HOSTS"):
        from_environment(str(tmp_path))


def test_allowed_hosts_are_read_from_the_environment(monkeypatch, tmp_path, clinic_file):
    monkeypatch.setenv("ALLOWED_HOSTS", "www.clinic.example, Clinic.Example")
    monkeypatch.setenv("PUBLIC_URL", "https://pain.clinic.example")
    app = create_app({"CONTENT_PATH": str(clinic_file), "DATABASE_URL": f"sqlite:///{tmp_path}/h.sqlite3"})
    assert app.config["SERVED_HOSTS"] == ("pain.clinic.example", "www.clinic.example", "clinic.example")


def test_the_400_page_keeps_its_stylesheet_which_names_no_host(app, client):
    page = soup(client.get("/", headers={"Host": FORGED}))
    stylesheet = page.select_one('link[rel="stylesheet"]')["href"]
    response = client.get(stylesheet, headers={"Host": FORGED})
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert FORGED not in response.get_data(as_text=True)
