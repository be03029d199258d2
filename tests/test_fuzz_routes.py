"""No request gets a 5xx: every route, every method, every kind of body, odd headers and `next` values.

A sweep tries each route with each method and each body kind; hypothesis then mixes them with odd text.
The cases found by hand each have a test of their own below.
"""

from __future__ import annotations

import datetime
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import GOOD_CALLBACK, HTMX, add_staff, csrf_token_from, hidden_fields, sign_in, soup

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # nothing here reads the clinic's content

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SAMPLES = {"slug": "knee", "request_id": 1, "filename": "css/bodymap.css", "language": "es", "member_id": 1,
           "session_id": "0" * 64, "token": "x" * 43}  # fmt: skip
ODD_TEXT = ["\r\nSet-Cookie: x=1", "\x00", "\x7f\x1b[31m", "é" * 300, "a" * 5000, "%0d%0a", "//evil.example", "\\\\x"]


def every_url(app) -> list[str]:
    return sorted(
        {rule.build({k: v for k, v in SAMPLES.items() if k in rule.arguments})[1] for rule in app.url_map.iter_rules()}
    )


def bodies(token: str) -> dict[str, dict]:
    """One of each kind of body a client might send, as test-client keyword arguments."""
    form = {**GOOD_CALLBACK, "csrf_token": token, "email": "desk@clinic.example", "password": "x" * 12}
    return {
        "none": {},
        "form": {"data": form},
        "json": {"data": json.dumps(form), "content_type": "application/json"},
        "json-list": {"data": "[1, [2], {}]", "content_type": "application/json"},
        "invalid-json": {"data": b"{name: \xff", "content_type": "application/json"},
        "multipart-files": {"data": {**form, "note": (io.BytesIO(b"\x00\xff" * 50), "note.bin")}},
        "invalid-utf8": {
            "data": b"name=%ff%fe\xff&phone=\xc3\x28&csrf_token=" + token.encode(),
            "content_type": "application/x-www-form-urlencoded",
        },
        "nul-bytes": {"data": {**form, "name": "a\x00b", "email": "\x00@\x00"}},
        "text": {"data": b"\x00\x01 plain", "content_type": "text/plain"},
        "unicode-digits": {
            "data": {
                **form,
                "areas-¹-region": "knee",
                "areas-²-side": "left",
                "areas-٣-pain": "۷",
                "action": "remove-¹",
                "new-region": "knee",
                "new-pain": "¹",
                "days": "³",
            }
        },  # fmt: skip
    }


@pytest.fixture(scope="module")
def fuzz_app(clinic_file, tmp_path_factory):
    from tests.conftest import build_app

    app = build_app(clinic_file, tmp_path_factory.mktemp("fuzz"))
    add_staff(app)
    add_staff(app, email="dana@clinic.example", role="clinician", display_name="Dana Ruiz", review_languages="en,es")
    add_staff(app, email="admin@clinic.example", role="admin")  # account 3: the sweep changes account 1, the desk's
    return app


@pytest.fixture(scope="module")
def clients(fuzz_app):
    """An anonymous browser, a front-desk one, a clinician's and an admin's, each with its CSRF token."""
    anonymous = fuzz_app.test_client()
    anonymous_token = csrf_token_from(anonymous.get("/callback"))
    staff = fuzz_app.test_client()
    assert sign_in(staff).status_code == 303
    staff_token = csrf_token_from(staff.get("/staff/callbacks"))
    clinician = fuzz_app.test_client()
    assert sign_in(clinician, email="dana@clinic.example").status_code == 303
    clinician_token = csrf_token_from(clinician.get("/staff/content"))
    admin = fuzz_app.test_client()
    assert sign_in(admin, email="admin@clinic.example").status_code == 303
    admin_token = csrf_token_from(admin.get("/staff/accounts"))
    return {  # in this order: the admin's sweep may disable or remove the desk's account, so it comes last
        "anonymous": (anonymous, anonymous_token),
        "staff": (staff, staff_token),
        "clinician": (clinician, clinician_token),
        "admin": (admin, admin_token),
    }


def ask(client, url, method, body, headers=None, environ=None):
    response = client.open(url, method=method, headers=headers or {}, environ_overrides=environ or {}, **body)
    response.get_data()  # stream it all: an error while rendering counts too
    return response


def test_every_route_method_and_body_kind_answers_below_500(fuzz_app, clients):
    checked = 0
    for who, (client, token) in clients.items():
        for url in every_url(fuzz_app):
            if who != "anonymous" and url == "/staff/logout":
                continue  # the signed-in browser stays signed in for the rest of the sweep
            for method in METHODS:
                kinds = bodies(token).items() if method in BODY_METHODS else [("none", {})]
                for kind, body in kinds:
                    headers = {"X-CSRFToken": token, **(HTMX if kind == "form" else {})}
                    response = ask(client, url, method, body, headers)
                    assert response.status_code < 500, (who, method, url, kind, response.status_code)
                    checked += 1
    assert checked > 1000


# Query arguments the app reads, and ones url_for() would take as its own if a view ever passed the query on.
QUERY_KEYS = [
    "next", "region", "side", "status", "page", "days", "by", "script", "host", "view", "accent", "measure", "sort",
    "language", "c", "endpoint", "_method", "lang", "slug", "_external", "_anchor", "_scheme", "filename",
]  # fmt: skip
UNICODE_DIGITS = ["¹", "²³", "٣", "１", "⑦", "9" * 30, "-1", "0x10"]  # str.isdigit() says yes to the first five
header_text = (
    st.sampled_from(ODD_TEXT)
    | st.text(max_size=300)
    | st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=3000)
)


@settings(
    max_examples=200,
    deadline=datetime.timedelta(seconds=5),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_requests_never_get_a_5xx(fuzz_app, clients, data):
    who = data.draw(st.sampled_from(["anonymous", "staff", "clinician"]))
    client, token = clients[who]
    urls = [u for u in every_url(fuzz_app) if not (who != "anonymous" and u == "/staff/logout")]
    url = data.draw(st.sampled_from(urls))
    method = data.draw(st.sampled_from(METHODS))
    body = data.draw(st.sampled_from(list(bodies(token).values())))
    query = data.draw(
        st.dictionaries(st.sampled_from(QUERY_KEYS), header_text | st.sampled_from(UNICODE_DIGITS), max_size=3)
    )
    environ = {}
    if data.draw(st.booleans()):
        environ["HTTP_HOST"] = data.draw(header_text)
    if data.draw(st.booleans()):
        environ["HTTP_REFERER"] = data.draw(header_text)
    headers = {"X-CSRFToken": token} if data.draw(st.booleans()) else {}
    if data.draw(st.booleans()):
        headers.update(HTMX)
    response = client.open(url, method=method, query_string=query, headers=headers, environ_overrides=environ, **body)
    response.get_data()
    assert response.status_code < 500, (who, method, url, query, environ, response.status_code)


# The cases found by hand, each pinned down.

REPRODUCERS = [
    "/embed?endpoint=x", "/embed?_method=POST", "/?lang=fr", "/pain/neck?slug=x", "/pain/neck?_external=1",
    "/embed/pain/knee?endpoint=x&side=left", "/pain/neck/panel?slug=x", "/es/pain/Neck?_external=1&_anchor=y",
    "/callback?region=knee&side=left&endpoint=x", "/staff/insights?days=%C2%B3", "/staff/insights?days=%D9%A3",
    "/staff/callbacks/99999999999999999999/guide", "/staff/guide/knee?script=es&endpoint=x",
]  # fmt: skip
UNICODE_BODIES = [
    ("/list", {"action": "update", "areas-¹-region": "knee"}),
    ("/list", {"action": "remove-¹", "areas-0-region": "knee"}),
    ("/list", {"action": "add", "new-region": "knee", "new-pain": "²"}),
    ("/embed/list", {"action": "update", "areas-¹-region": "knee", "areas-²-pain": "³"}),
    ("/es/list", {"action": "update", "areas-١-region": "knee"}),
    ("/callback/from-list", {"areas-¹-region": "knee"}),
    ("/callback", {"areas-¹-region": "knee", "name": "Pat"}),  # refused for its token: the refusal draws the form
    ("/callback", {"action": "remove-¹", "areas-0-region": "knee"}),
    ("/staff/callbacks/99999999999999999999/status", {"status": "closed"}),
]


@pytest.mark.parametrize("url", REPRODUCERS)
def test_query_arguments_that_once_reached_url_for_get_no_5xx(fuzz_app, clients, url):
    for who in ("anonymous", "staff"):
        client, _ = clients[who]
        for headers in ({}, HTMX):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, (who, url, response.status_code)
    assert clients["staff"][0].get("/staff/callbacks/99999999999999999999/guide").status_code == 404


@pytest.mark.parametrize(("url", "form"), UNICODE_BODIES)
def test_unicode_digits_in_posted_field_names_and_values_get_no_5xx(fuzz_app, clients, url, form):
    for who in ("anonymous", "staff"):
        client, token = clients[who]
        for data in (form, {**form, "csrf_token": token}):
            response = client.post(url, data=data, headers={"X-CSRFToken": token})
            assert response.status_code < 500, (who, url, data, response.status_code)


@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "token"])
@pytest.mark.parametrize("url", ["/callback", "/staff/login"])
def test_a_json_content_type_with_a_body_that_is_not_json_gets_a_4xx(fuzz_app, url, with_token):
    client = fuzz_app.test_client()
    token = csrf_token_from(client.get(url))
    headers = {"X-CSRFToken": token} if with_token else {}
    response = client.post(url, data="name=Ana&phone=5035550142", content_type="application/json", headers=headers)
    assert 400 <= response.status_code < 500
    assert soup(response).select_one("main") is not None, "a page that says what to do"


def test_a_json_body_over_the_limit_gets_the_429_page_not_a_500(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for _ in range(5):
        client.post("/callback", data={**hidden_fields(client.get("/callback")), **GOOD_CALLBACK})
    response = client.post("/callback", data="{not json", content_type="application/json")
    assert response.status_code in (400, 429)
    refused = client.post("/callback", data={**hidden_fields(client.get("/callback")), **GOOD_CALLBACK})
    assert refused.status_code == 429


@pytest.mark.parametrize("next_page", ["/staff/insights\r\nSet-Cookie: x=1", "/staff/insights%0D%0ALocation:%20//evil"])
def test_a_next_holding_cr_lf_signs_in_to_the_queue(make_app, next_page):
    app = make_app()  # not the sweeps' app: their admin may have disabled or removed the desk's account by now
    add_staff(app)
    client = app.test_client()
    token = csrf_token_from(client.get("/staff/login"))
    response = client.post(
        "/staff/login",
        query_string={"next": next_page},
        data={"csrf_token": token, "email": "desk@clinic.example", "password": "maple river quiet lantern"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] in ("/staff/callbacks", next_page) and "\n" not in response.headers["Location"]
    assert "Set-Cookie: x" not in str(response.headers)
