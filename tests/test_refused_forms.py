"""A refused form post (no token, an old one, a page from another origin) is logged once with its reason, never with
what the form held: an operator can see why every HTTPS form fails behind a proxy that drops the port."""

from __future__ import annotations

import logging

import pytest

from tests.helpers import GOOD_CALLBACK, add_staff, hidden_fields, sign_in, soup

pytestmark = pytest.mark.one_clinic  # the same for any clinic's file


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("Refused a form post")]


def no_patient_data(caplog) -> None:
    logged = " ".join(r.getMessage() for r in caplog.records)
    for value in (GOOD_CALLBACK["name"], GOOD_CALLBACK["phone"], GOOD_CALLBACK["note"], "5550142"):
        assert value not in logged


def test_a_callback_without_its_token_is_refused_and_logged_once_without_the_patients_details(sqlite_client, caplog):
    with caplog.at_level(logging.WARNING):
        response = sqlite_client.post("/callback", data=GOOD_CALLBACK)
    assert response.status_code == 400
    assert soup(response).select_one('input[name="name"]')["value"] == GOOD_CALLBACK["name"]  # kept for the patient
    assert refusals(caplog) == [
        "Refused a form post to /callback: The CSRF token is missing. (Host localhost, page from no Referer)"
    ]
    no_patient_data(caplog)


def test_a_proxy_that_drops_the_port_gets_every_https_form_refused_and_the_log_says_what_to_fix(make_app, caplog):
    """nginx's `proxy_set_header Host $host` on a port other than 443: the page came from https://host:8443, the
    request says Host: host."""
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    page = client.get("/callback", base_url="https://localhost")
    data = {**hidden_fields(page), **GOOD_CALLBACK}
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/callback", data=data, base_url="https://localhost", headers={"Referer": "https://localhost:8443/callback"}
        )
    assert response.status_code == 400
    assert refusals(caplog) == [
        "Refused a form post to /callback: The referrer does not match the host. (Host localhost, page from"
        " https://localhost:8443; is a proxy dropping the port from Host? (nginx: proxy_set_header Host $http_host))"
    ]
    no_patient_data(caplog)


def test_a_staff_form_without_its_token_is_refused_once_with_a_page_that_says_to_reload(
    sqlite_client, sqlite_app, caplog
):
    add_staff(sqlite_app, email="dana@clinic.example", role="clinician", display_name="Dana Ruiz, PT, DPT",
              review_languages="en")  # fmt: skip
    sign_in(sqlite_client, email="dana@clinic.example")
    with caplog.at_level(logging.WARNING):
        response = sqlite_client.post("/staff/content/knee/en/sign-off", data={"digest": "0" * 64})
    assert response.status_code == 400
    assert "Reload the page and try again." in soup(response).get_text()
    assert refusals(caplog) == [
        "Refused a form post to /staff/content/knee/en/sign-off: The CSRF token is missing."
        " (Host localhost, page from no Referer)"
    ]


def test_an_expired_sign_in_form_says_so_and_logs_it(make_app, caplog):
    app = make_app(WTF_CSRF_TIME_LIMIT=-1)  # every token is already too old
    client = app.test_client()
    page = client.get("/staff/login")
    token = soup(page).select_one('input[name="csrf_token"]')["value"]
    with caplog.at_level(logging.WARNING):
        response = client.post("/staff/login", data={"csrf_token": token, "email": "desk@clinic.example"})
    assert response.status_code == 400
    assert "The sign-in page was open for a long time." in soup(response).get_text()
    assert refusals(caplog) == [
        "Refused a form post to /staff/login: The CSRF token has expired. (Host localhost, page from no Referer)"
    ]
