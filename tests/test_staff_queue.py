"""The callback queue: newest first, every area with its score, the language of a request sent in Spanish,
sorting by score, filters, one-click status, paging, and nothing a patient typed runs."""

from __future__ import annotations

import datetime

import pytest

from bodymap.data.models import utcnow
from bodymap.staff.queue import PAGE_SIZE
from tests.helpers import GOOD_CALLBACK, HTMX, add_rows, callback_request, csrf_token_from, hidden_fields, soup, stored


def add_requests(app, count, **fields):
    """`count` requests, a minute apart, newest first: Patient 0, Patient 1, ..."""
    now = utcnow()
    usual = {"preferred_time": "evening", "region": "knee", "side": "left", "pain": 5, "status": "new"}
    add_rows(
        app,
        *(
            callback_request(
                **{"name": f"Patient {n}", "created_at": now - datetime.timedelta(minutes=n), **usual, **fields}
            )
            for n in range(count)
        ),
    )


def rows(page):
    return page.select("table.queue tbody tr")


def areas_of(row) -> list[tuple[str, str, str]]:
    """A row's areas as shown: (region, side, score), in the order on screen."""
    return [(li["data-region"], li["data-side"], li["data-pain"]) for li in row.select("ul.pain-areas > li")]


def names(page) -> list[str]:
    return [row.select_one(".patient-name").get_text() for row in rows(page)]


def test_the_queue_shows_newest_first_with_everything_needed_to_call_back(staff_client, db_app):
    add_requests(
        db_app,
        1,
        name="Older",
        status="contacted",  # a new one might be overdue by now, and overdue requests lead (test_notify_queue.py)
        created_at=utcnow() - datetime.timedelta(hours=3),
        note="Stairs hurt",
        pain=7,
        preferred_time="morning",
        region="hand-wrist",
        side="right",
    )
    add_requests(db_app, 1, name="Newer", pain=None, region=None, side=None)
    page = soup(staff_client.get("/staff/callbacks"))
    first, second = rows(page)
    assert first.select_one(".patient-name").get_text() == "Newer"
    cells = [td.get_text(" ", strip=True) for td in second.select("td")]
    assert cells[:4] == ["3 h ago", "Older", "(503) 555-0142", "Morning"]
    assert cells[5] == "Stairs hurt"
    assert areas_of(second) == [("hand-wrist", "right", "7")]
    assert second.select_one("ul.pain-areas .pain-area-name").get_text() == "Right hand and wrist"
    assert second.select_one('a[href="tel:+15035550142"]') is not None
    assert first.select_one("td.where ul.pain-areas") is None
    assert first.select_one("td.where .pain-areas-none").get_text() == "No area given"


def test_a_row_shows_every_area_highest_score_first_with_its_words(staff_client, db_app):
    areas = [
        {"region": "neck", "side": None, "pain": 4, "feelings": "aching", "duration": "over-3-months"},
        {"region": "shoulder", "side": "left", "pain": 7, "feelings": "sharp,tingling", "duration": "under-6-weeks"},
        {"region": "low-back", "side": None, "pain": None},
        {"region": "knee", "side": "right", "pain": 0},
    ]
    add_rows(db_app, callback_request(name="Several", areas=areas))
    [row] = rows(soup(staff_client.get("/staff/callbacks")))
    assert areas_of(row) == [("shoulder", "left", "7"), ("neck", "", "4"), ("knee", "right", "0"), ("low-back", "", "")]
    shoulder, neck, knee, low_back = row.select("ul.pain-areas > li")
    assert shoulder.select_one(".pain-area-name").get_text() == "Left shoulder"
    assert shoulder.select_one(".pain-words").get_text() == ", sharp, tingling or pins and needles"
    assert shoulder.select_one(".pain-duration").get_text() == ", under 6 weeks"
    assert shoulder.select_one(".pain-score").get_text() == "7 out of 10"
    assert neck.select_one(".pain-words").get_text() == ", aching"
    assert neck.select_one(".pain-duration").get_text() == ", over 3 months"
    assert knee.select_one(".pain-words") is None and knee.select_one(".pain-duration") is None
    assert low_back.select_one(".pain-score").get_text() == "– no score"


def test_an_area_whose_region_left_the_content_shows_its_slug(staff_client, db_app):
    areas = [{"region": "tail-bone", "side": "left", "pain": 9}, {"region": "neck", "side": None, "pain": 3}]
    add_rows(db_app, callback_request(name="Old", areas=areas))
    response = staff_client.get("/staff/callbacks")
    assert response.status_code == 200
    [row] = rows(soup(response))
    assert areas_of(row) == [("tail-bone", "left", "9"), ("neck", "", "3")]
    assert row.select_one(".pain-area-name").get_text() == "tail-bone (left)"


def test_the_queue_sorts_by_highest_score_without_javascript(staff_client, db_app):
    now = utcnow()
    for minutes, name, pains in [
        (1, "Mild", [2, 3]),
        (2, "None given", [None]),
        (3, "Worst", [1, 9]),
        (4, "No area", []),
        (5, "Also mild", [3]),
        (6, "Middle", [6]),
    ]:
        areas = [
            {"region": "neck", "pain": pain} if n == 0 else {"region": "hip", "side": "left", "pain": pain}
            for n, pain in enumerate(pains)
        ]
        add_rows(
            db_app,
            callback_request(
                name=name, areas=areas, status="contacted", created_at=now - datetime.timedelta(minutes=minutes)
            ),
        )
    page = soup(staff_client.get("/staff/callbacks"))
    assert names(page) == ["Mild", "None given", "Worst", "No area", "Also mild", "Middle"]
    sort = page.select_one('form.filters select[name="sort"]')
    assert [o["value"] for o in sort.select("option")] == ["", "score"]
    by_score = soup(staff_client.get("/staff/callbacks?sort=score"))
    assert names(by_score) == ["Worst", "Middle", "Mild", "Also mild", "None given", "No area"]
    assert "highest pain score first" in by_score.select_one("table.queue caption").get_text()
    table = by_score.select_one("#queue-table")
    assert table["hx-get"] == "/staff/callbacks/rows?sort=score"  # the poll keeps the order
    assert names(soup(staff_client.get(table["hx-get"], headers=HTMX))) == names(by_score)
    assert staff_client.get("/staff/callbacks?sort=loudest").status_code == 400


def test_sorting_by_score_keeps_the_filters_and_the_pages(staff_client, db_app):
    add_requests(db_app, PAGE_SIZE + 5, status="contacted", pain=3)
    add_requests(db_app, 1, status="contacted", name="Top", pain=10, region="neck", side=None)
    first = soup(staff_client.get("/staff/callbacks?sort=score&status=contacted"))
    assert names(first)[0] == "Top" and len(rows(first)) == PAGE_SIZE
    older = first.select_one(".pager a")["href"]
    assert older == "/staff/callbacks?status=contacted&sort=score&page=2"
    assert len(rows(soup(staff_client.get(older)))) == 6
    assert first.select_one('select[name="sort"] option[selected]')["value"] == "score"
    knees = soup(staff_client.get("/staff/callbacks?sort=score&region=knee"))
    assert "Top" not in names(knees) and len(rows(knees)) == PAGE_SIZE


def test_the_header_counts_new_requests(staff_client, db_app):
    add_requests(db_app, 3)
    add_requests(db_app, 2, status="booked")
    page = soup(staff_client.get("/staff/guide"))
    assert page.select_one("#new-count").get_text() == "3"


def test_the_region_filter_finds_a_region_among_the_areas_and_can_narrow_by_side(staff_client, db_app):
    knee_second = [{"region": "neck", "pain": 5}, {"region": "knee", "side": "right", "pain": 2}]
    add_rows(
        db_app,
        callback_request(name="Neck and right knee", areas=knee_second),
        callback_request(name="Left knee", region="knee", side="left", pain=4),
        callback_request(name="Hip", region="hip", side="right", pain=4),
    )
    assert sorted(names(soup(staff_client.get("/staff/callbacks?region=knee")))) == ["Left knee", "Neck and right knee"]
    assert names(soup(staff_client.get("/staff/callbacks?region=knee&side=right"))) == ["Neck and right knee"]
    assert sorted(names(soup(staff_client.get("/staff/callbacks?side=right")))) == ["Hip", "Neck and right knee"]
    assert names(soup(staff_client.get("/staff/callbacks?region=neck"))) == ["Neck and right knee"]
    page = soup(staff_client.get("/staff/callbacks?region=elbow"))
    assert rows(page) == [] and page.select_one(".empty").get_text() == "No callback requests match these filters."
    assert staff_client.get("/staff/callbacks?side=middle").status_code == 400


def test_each_row_links_to_the_call_guide_for_that_request(staff_client, db_app):
    add_requests(db_app, 1)
    request_id = stored(db_app)[0].id
    [row] = rows(soup(staff_client.get("/staff/callbacks")))
    assert row.select_one("a.guide-link")["href"] == f"/staff/callbacks/{request_id}/guide"


def test_filters_by_status_and_region(staff_client, db_app):
    add_requests(db_app, 2, status="new", region="knee")
    add_requests(db_app, 1, status="booked", region="knee")
    add_requests(db_app, 1, status="new", region="neck", side=None)
    assert len(rows(soup(staff_client.get("/staff/callbacks")))) == 4
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=new")))) == 3
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=new&region=knee")))) == 2
    assert len(rows(soup(staff_client.get("/staff/callbacks?status=booked&region=neck")))) == 0
    response = staff_client.get("/staff/callbacks?status=lost")
    assert response.status_code == 400
    assert "That filter is not one we know" in soup(response).get_text()


def test_a_status_changes_in_one_click_without_javascript(staff_client, db_app):
    add_requests(db_app, 1)
    page = soup(staff_client.get("/staff/callbacks?status=new"))
    form = rows(page)[0].select_one("form.status-form")
    buttons = {b["value"]: b for b in form.select("button")}
    assert set(buttons) == {"contacted", "booked", "closed"}
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "contacted"}
    response = staff_client.post(form["action"], data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/callbacks?status=new"
    assert stored(db_app)[0].status == "contacted"


def test_a_status_changes_in_place_with_htmx(staff_client, db_app):
    add_requests(db_app, 1)
    page = soup(staff_client.get("/staff/callbacks"))
    row = rows(page)[0]
    form = row.select_one("form.status-form")
    assert form["hx-target"] == f"#{row['id']}" and form["hx-swap"] == "outerHTML"
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "booked"}
    response = staff_client.post(form["action"], data=data, headers=HTMX)
    assert response.status_code == 200
    fragment = soup(response)
    assert fragment.select_one("tr")["data-status"] == "booked"
    assert fragment.select_one(".status").get_text() == "Booked"
    bad = staff_client.post(form["action"], data={**data, "status": "lost"}, headers=HTMX)
    assert bad.status_code == 400


def test_pages_of_twenty_five(staff_client, db_app):
    add_requests(db_app, 60, status="contacted")  # never overdue, so the order is by age alone
    first = soup(staff_client.get("/staff/callbacks"))
    assert PAGE_SIZE == 25 and len(rows(first)) == 25
    assert rows(first)[0].select_one(".patient-name").get_text() == "Patient 0"
    older = first.select_one(".pager a").get("href")
    assert older == "/staff/callbacks?page=2"
    third = soup(staff_client.get("/staff/callbacks?page=3"))
    assert len(rows(third)) == 10
    assert rows(third)[-1].select_one(".patient-name").get_text() == "Patient 59"
    assert [a.get_text() for a in third.select(".pager a")] == ["Newer"]


def test_new_requests_appear_by_polling_on_the_first_page(staff_client, db_app):
    page = soup(staff_client.get("/staff/callbacks"))
    table = page.select_one("#queue-table")
    assert table["hx-get"] == "/staff/callbacks/rows" and table["hx-trigger"] == "every 20s"
    add_requests(db_app, 2)
    polled = soup(staff_client.get(table["hx-get"], headers=HTMX))
    assert len(rows(polled)) == 2
    assert polled.select_one('hx-partial[hx-target="#new-count"]').get_text() == "2"
    assert soup(staff_client.get("/staff/callbacks?page=2")).select_one("#queue-table").get("hx-get") is None


def test_what_patients_typed_is_escaped_on_staff_pages(staff_client, db_app):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    add_requests(db_app, 1, name=payload, note=payload)
    page = soup(staff_client.get("/staff/callbacks"))
    row = rows(page)[0]
    assert row.select("script, img") == []
    assert row.select_one(".patient-name").get_text() == payload
    assert row.select_one(".patient-note").get_text() == payload


def test_status_change_needs_a_token(staff_client, db_app):
    add_requests(db_app, 1)
    request_id = stored(db_app)[0].id
    response = staff_client.post(f"/staff/callbacks/{request_id}/status", data={"status": "closed"})
    assert response.status_code == 400
    assert stored(db_app)[0].status == "new"
    token = csrf_token_from(staff_client.get("/staff/callbacks"))
    missing = staff_client.post("/staff/callbacks/999999/status", data={"csrf_token": token, "status": "closed"})
    assert missing.status_code == 404


def language_tag(row):
    """The language a row says its request was sent in, as (lang attribute, text); None for English."""
    tag = row.select_one(".language-tag [lang]")
    return None if tag is None else (tag["lang"], tag.get_text())


def test_a_spanish_request_sent_from_the_spanish_form_shows_as_spanish_in_the_queue(staff_client, db_app):
    from bodymap import content

    if "es" not in content.languages(db_app):
        pytest.skip("this clinic's content has no Spanish, so it has no Spanish form")
    for url, name in (("/callback", "Ann English"), ("/es/callback", "Beatriz Español")):
        form = {**hidden_fields(staff_client.get(url)), **GOOD_CALLBACK, "name": name}
        assert staff_client.post(url, data=form).status_code == 303
    page = soup(staff_client.get("/staff/callbacks"))
    shown = {row.select_one(".patient-name").get_text(): language_tag(row) for row in rows(page)}
    assert shown == {"Beatriz Español": ("es", "Español"), "Ann English": None}
    [spanish] = [row for row in rows(page) if row.select_one(".patient-name").get_text() == "Beatriz Español"]
    tag = spanish.select_one(".language-tag")
    assert tag.get_text() == "Language: Español"  # a screen reader hears what the tag is, then the word in Spanish
    assert tag.select_one(".visually-hidden").get_text() == "Language: "


def test_the_queue_filters_by_language_without_javascript_and_keeps_the_pages(staff_client, db_app):
    add_requests(db_app, PAGE_SIZE + 5, status="contacted", language="es", pain=3)
    add_requests(db_app, 1, status="contacted", language="es", name="Top", pain=10)
    add_requests(db_app, 3, status="contacted", name="English")
    page = soup(staff_client.get("/staff/callbacks"))
    language = page.select_one('form.filters select[name="language"]')
    assert [(o["value"], o.get_text()) for o in language.select("option")] == [
        ("", "Any"),
        ("en", "English"),
        ("es", "Spanish"),
    ]
    assert page.select_one(f'form.filters label[for="{language["id"]}"]').get_text() == "Language"

    spanish = soup(staff_client.get("/staff/callbacks?language=es"))
    assert len(rows(spanish)) == PAGE_SIZE and {language_tag(row) for row in rows(spanish)} == {("es", "Español")}
    assert spanish.select_one('select[name="language"] option[selected]')["value"] == "es"
    assert spanish.select_one("#queue-table")["hx-get"] == "/staff/callbacks/rows?language=es"  # the poll keeps it
    older = spanish.select_one(".pager a")["href"]
    assert older == "/staff/callbacks?language=es&page=2"
    assert len(rows(soup(staff_client.get(older)))) == 6

    english = soup(staff_client.get("/staff/callbacks?language=en"))
    assert names(english) == ["English"] * 3 and {language_tag(row) for row in rows(english)} == {None}

    by_score = soup(staff_client.get("/staff/callbacks?language=es&sort=score"))
    assert names(by_score)[0] == "Top" and "English" not in names(by_score)
    assert by_score.select_one(".pager a")["href"] == "/staff/callbacks?language=es&sort=score&page=2"

    none = soup(staff_client.get("/staff/callbacks?language=es&region=elbow"))
    assert rows(none) == [] and none.select_one(".empty").get_text() == "No callback requests match these filters."
    assert staff_client.get("/staff/callbacks?language=fr").status_code == 400


def test_a_status_change_keeps_the_language_filter_and_the_tag(staff_client, db_app):
    add_requests(db_app, 1, language="es")
    page = soup(staff_client.get("/staff/callbacks?language=es"))
    form = rows(page)[0].select_one("form.status-form")
    data = {i["name"]: i["value"] for i in form.select("input[type=hidden]")} | {"status": "booked"}
    response = staff_client.post(form["action"], data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/staff/callbacks?language=es"
    in_place = soup(staff_client.post(form["action"], data={**data, "status": "contacted"}, headers=HTMX))
    assert language_tag(in_place.select_one("tr")) == ("es", "Español")
