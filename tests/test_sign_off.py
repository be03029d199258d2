"""A clinician reads each region as patients read it and signs it off, language by language. The sign-off holds for
that exact text: patients then read who reviewed it, until the text changes and it is a draft again. Every process
learns of a new sign-off by itself, and no patient's page asks the database."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
from babel.dates import format_date
from sqlalchemy import event, func, select

from bodymap import review
from bodymap.content import patient_text
from bodymap.data.models import SignOff, utcnow
from bodymap.web.caching import stored_responses
from tests.helpers import HTMX, add_staff, csrf_token_from, sign_in, soup

DANA = {"display_name": "Dana Ruiz, PT, DPT", "review_languages": "en,es"}


@pytest.fixture
def clinician(db_client, db_app):
    """A client signed in as a clinician who reviews English and Spanish (the shared app forgets its sign-offs after
    the test, when `db_client` empties its tables)."""
    add_staff(db_app, email="dana@clinic.example", role="clinician", **DANA)
    assert sign_in(db_client, email="dana@clinic.example").status_code == 303
    return db_client


def sign_off(client, slug: str, lang: str, digest: str | None = None):
    """Open the review page and press Sign off, as a clinician would."""
    page = client.get(f"/staff/content/{slug}/{lang}")
    form = soup(page).select_one(f'form[action="/staff/content/{slug}/{lang}/sign-off"]')
    data = {"csrf_token": csrf_token_from(page), "digest": digest or (form.select_one('input[name="digest"]')["value"])}
    return client.post(f"/staff/content/{slug}/{lang}/sign-off", data=data)


def sign_offs(app) -> int:
    with app.extensions["bodymap.sessions"]() as session:
        return session.scalar(select(func.count(SignOff.id)))


def review_line(client, url: str):
    return soup(client.get(url, headers=HTMX)).select_one(".panel-footer p.review")


def test_a_clinician_signs_off_a_region_and_patients_read_who_reviewed_it(clinician, db_app, content):
    region = content.regions[0]
    assert review_line(clinician, f"/pain/{region.slug}/panel")["data-review"] == "draft"
    response = sign_off(clinician, region.slug, "en")
    assert response.status_code == 303 and response.headers["Location"] == f"/staff/content/{region.slug}/en"
    today = utcnow().date()
    line = review_line(clinician, f"/pain/{region.slug}/panel")
    assert line["data-review"] == "signed"
    assert line.get_text() == f"Reviewed by Dana Ruiz, PT, DPT on {format_date(today, 'long', locale='en')}."
    assert line.time["datetime"] == today.isoformat()
    assert "draft" not in line.get_text().lower()
    # Signed off in English only: the Spanish page still says it is a draft, in Spanish.
    spanish = review_line(clinician, f"/es/pain/{region.slug}/panel")
    assert spanish["data-review"] == "draft" and spanish.strong.get_text() == "Borrador:"
    assert sign_off(clinician, region.slug, "es").status_code == 303
    spanish = review_line(clinician, f"/es/pain/{region.slug}/panel")
    assert spanish.get_text() == f"Revisado por Dana Ruiz, PT, DPT el {format_date(today, 'long', locale='es')}."
    # The full page and the sitemap say it too.
    page = soup(clinician.get(f"/pain/{region.slug}"))
    assert page.select_one(".panel-footer p.review")["data-review"] == "signed"
    sitemap = clinician.get("/sitemap.xml").get_data(as_text=True)
    assert f"/pain/{region.slug}</loc>\n    <lastmod>{today.isoformat()}</lastmod>" in sitemap


def test_an_edit_of_the_regions_text_returns_it_to_draft(clinician, db_app, make_app, content, clinic_file, tmp_path):
    region = content.regions[0]
    assert sign_off(clinician, region.slug, "en").status_code == 303
    edited = tmp_path / "regions.yaml"
    shutil.copy(clinic_file, edited)
    text = edited.read_text(encoding="utf-8")
    assert text.count(region.summary) == 1
    edited.write_text(text.replace(region.summary, region.summary + " It often eases in a few weeks."), "utf-8")
    same_database = make_app(CONTENT_PATH=str(edited), DATABASE_URL=db_app.config["DATABASE_URL"])
    client = same_database.test_client()
    line = review_line(client, f"/pain/{region.slug}/panel")
    assert line["data-review"] == "draft"
    assert review_line(client, f"/pain/{content.regions[1].slug}/panel")["data-review"] == "draft"  # never signed
    assert sign_in(client, email="dana@clinic.example").status_code == 303
    cell = soup(client.get("/staff/content")).select_one(f'tr[data-region="{region.slug}"] td[data-lang="en"]')
    assert cell.select_one("[data-state]")["data-state"] == "changed"
    assert "Changed since Dana Ruiz, PT, DPT signed it off" in cell.get_text()
    # The file as it was: signed off again, with no new sign-off needed.
    assert review_line(clinician, f"/pain/{region.slug}/panel")["data-review"] == "signed"


@pytest.mark.parametrize("role", ["desk", "admin"])
def test_a_desk_or_admin_account_reads_the_review_page_but_its_sign_off_gets_403(db_client, db_app, content, role):
    add_staff(db_app, email="member@clinic.example", role=role)
    sign_in(db_client, email="member@clinic.example")
    region = content.regions[0]
    page = db_client.get(f"/staff/content/{region.slug}/en")
    assert page.status_code == 200
    assert soup(page).select_one("form[action$='/sign-off']") is None
    assert "Only a clinician's account signs content off." in soup(page).get_text()
    digest = patient_text.digest(region)
    response = db_client.post(
        f"/staff/content/{region.slug}/en/sign-off", data={"csrf_token": csrf_token_from(page), "digest": digest}
    )
    assert response.status_code == 403
    assert sign_offs(db_app) == 0


def test_a_clinician_signs_off_only_the_languages_the_account_reviews(db_client, db_app, content):
    add_staff(db_app, email="sam@clinic.example", role="clinician", display_name="Sam Lee, PT", review_languages="en")
    sign_in(db_client, email="sam@clinic.example")
    region = content.regions[0]
    page = db_client.get(f"/staff/content/{region.slug}/es")
    assert soup(page).select_one("form[action$='/sign-off']") is None
    assert "a clinician who reviews Spanish signs this off" in soup(page).get_text()
    spanish = content.in_language("es").region(region.slug)
    response = db_client.post(
        f"/staff/content/{region.slug}/es/sign-off",
        data={"csrf_token": csrf_token_from(page), "digest": patient_text.digest(spanish)},
    )
    assert response.status_code == 403 and sign_offs(db_app) == 0


def test_text_that_changed_after_the_clinician_read_it_is_not_signed_off(clinician, db_app, content):
    region = content.regions[0]
    response = sign_off(clinician, region.slug, "en", digest="0" * 64)
    assert response.status_code == 409
    assert "changed after you opened the page" in soup(response).select_one("[role=alert]").get_text()
    assert sign_offs(db_app) == 0


def test_a_sign_off_needs_its_csrf_token_and_a_digest(clinician, db_app, content):
    region = content.regions[0]
    url = f"/staff/content/{region.slug}/en/sign-off"
    assert clinician.post(url, data={"digest": patient_text.digest(region)}).status_code == 400
    token = csrf_token_from(clinician.get(f"/staff/content/{region.slug}/en"))
    assert clinician.post(url, data={"csrf_token": token, "digest": "not a digest"}).status_code == 400
    assert clinician.post("/staff/content/nowhere/en/sign-off", data={"csrf_token": token}).status_code == 404
    assert clinician.get(f"/staff/content/{region.slug}/fr").status_code == 404
    assert sign_offs(db_app) == 0


def test_the_list_shows_every_region_in_every_language_with_its_state(clinician, db_app, content):
    first = content.regions[0]
    sign_off(clinician, first.slug, "es")
    page = soup(clinician.get("/staff/content"))
    rows = page.select("table.review-table tbody tr")
    assert [row["data-region"] for row in rows] == [r.slug for r in content.regions]
    assert [th.get_text() for th in page.select("table.review-table thead th")] == ["Region", "English", "Spanish"]
    states = {(row["data-region"], td["data-lang"]): td.select_one("[data-state]")["data-state"]
              for row in rows for td in row.select("td")}  # fmt: skip
    assert states.pop((first.slug, "es")) == "signed"
    assert set(states.values()) == {"draft"}
    first_cell = rows[0].select_one('td[data-lang="es"]')
    assert first_cell.a["href"] == f"/staff/content/{first.slug}/es"
    assert "Signed off by Dana Ruiz, PT, DPT" in first_cell.get_text()
    assert page.select_one(".review-counts").get_text() == (
        f"1 signed off · 0 changed since sign-off · {2 * len(content.regions) - 1} drafts"
    )


def test_the_review_page_shows_the_panel_each_flags_sources_and_the_reading_figures(clinician, content):
    region = content.in_language("es").regions[0]
    page = soup(clinician.get(f"/staff/content/{region.slug}/es"))
    panel = page.select_one(".review-panel .panel")
    assert panel["lang"] == "es"
    assert panel.select_one("#panel-heading").get_text() == region.name
    assert [li.get_text(" ", strip=True) for li in panel.select(".flags-emergency li")][0].startswith(
        region.red_flags.emergency[0].text
    )
    assert panel.select_one(".flags-lead strong").get_text() == "Llame al 911 o vaya a la sala de emergencias ahora"
    emergency = page.select('ol.flag-sources[data-tier="emergency"] > li')
    assert [item.span.get_text() for item in emergency] == [flag.text for flag in region.red_flags.emergency]
    for item, flag in zip(emergency, region.red_flags.emergency, strict=True):
        links = [a["href"] for a in item.select("ul a")]
        assert links == [source.url for source in flag.sources if source.url]
    figures = page.select("section[aria-labelledby=reading-heading] tbody tr")
    assert [row.th.get_text().split(" (")[0] for row in figures] == ["Taken together", "Summary"]
    assert all(row.select("td")[1].get_text() == "70 or more" for row in figures)
    assert page.select_one("form[action$='/sign-off'] button").get_text() == "Sign off as Dana Ruiz, PT, DPT"


def test_staff_pages_stay_in_english_around_the_spanish_panel(clinician, content):
    page = soup(clinician.get(f"/staff/content/{content.regions[0].slug}/es"))
    assert page.html["lang"] == "en"
    assert page.select_one("nav.staff-nav a[aria-current]").get_text() == "Content"
    assert page.h1.get_text(" ", strip=True).endswith("(Spanish)")


def test_every_process_learns_of_a_sign_off_without_a_database_call_on_a_patients_page(make_app, content):
    """Two processes on one database: the one that did not take the sign-off keeps its page until its watcher,
    which asks every SIGN_OFF_CHECK_SECONDS, sees the new sign-off and clears its store."""
    signing = make_app()
    watching = make_app(DATABASE_URL=signing.config["DATABASE_URL"], SIGN_OFF_CHECK_SECONDS=0.2, VIEW_COUNTING=False)
    statements = []
    event.listen(
        watching.extensions["bodymap.engine"],
        "before_cursor_execute",
        lambda *args: statements.append((threading.current_thread().name, args[2])),
    )
    region = content.regions[0]
    url = f"/pain/{region.slug}/panel"
    patient = watching.test_client()
    for _ in range(3):
        assert review_line(patient, url)["data-review"] == "draft"
        assert soup(patient.get(f"/pain/{region.slug}")).select_one("p.review")["data-review"] == "draft"

    add_staff(signing, email="dana@clinic.example", role="clinician", **DANA)
    desk = signing.test_client()
    sign_in(desk, email="dana@clinic.example")
    assert sign_off(desk, region.slug, "en").status_code == 303
    deadline = time.monotonic() + 10
    while review_line(patient, url)["data-review"] != "signed":
        assert time.monotonic() < deadline, "the other process never learnt of the sign-off"
        time.sleep(0.05)
    assert soup(patient.get(f"/pain/{region.slug}")).select_one("p.review")["data-review"] == "signed"
    # Only the watcher asked the database, and only about sign-offs: never a patient's request.
    assert statements and {thread for thread, _ in statements} == {"sign-off-watcher"}
    assert all("sign_offs" in statement for _, statement in statements)
    review.sign_offs(watching).stopped.set()


def test_a_page_drawn_while_the_store_is_cleared_is_served_but_not_kept(make_app, content):
    """A sign-off that arrives while a panel is drawn from the old ones: that panel is served once, never kept."""
    app = make_app()
    store = stored_responses(app)
    inner = store.wsgi_app

    def drawn_while_cleared(environ, start_response):
        body = inner(environ, start_response)
        store.clear()
        return body

    url = f"/pain/{content.regions[0].slug}"
    store.wsgi_app = drawn_while_cleared
    assert app.test_client().get(url).status_code == 200
    assert store.entries == {}
    store.wsgi_app = inner
    assert app.test_client().get(url).status_code == 200
    assert len(store.entries) == 1


def test_sign_offs_survive_the_removal_of_the_account_that_made_them(clinician, db_app, content):
    from tests.helpers import flask_command

    region = content.regions[0]
    sign_off(clinician, region.slug, "en")
    assert flask_command(db_app, "staff", "remove", "dana@clinic.example").exit_code == 0
    with db_app.extensions["bodymap.sessions"]() as session:
        [row] = session.scalars(select(SignOff))
    assert (row.signed_by, row.staff_id) == ("Dana Ruiz, PT, DPT", None)
    assert review_line(db_app.test_client(), f"/pain/{region.slug}/panel")["data-review"] == "signed"


def test_a_double_click_records_one_sign_off(clinician, db_app, content):
    region = content.regions[0]
    page = clinician.get(f"/staff/content/{region.slug}/en")
    data = {"csrf_token": csrf_token_from(page), "digest": patient_text.digest(region)}
    for _ in range(2):
        assert clinician.post(f"/staff/content/{region.slug}/en/sign-off", data=data).status_code == 303
    assert sign_offs(db_app) == 1
    history = soup(clinician.get(f"/staff/content/{region.slug}/en")).select(".review-history li")
    assert len(history) == 1 and history[0].has_attr("data-current")
