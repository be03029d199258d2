"""Whatever text lands in whatever field, the answer is never a server error."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields

pytestmark = [pytest.mark.one_clinic, pytest.mark.slow]  # nothing here reads the clinic's content

AREA_FIELDS = [
    f"areas-{n}-{name}" for n in (0, 1, 9, 10) for name in ("region", "side", "pain", "feelings", "duration")
]
FIELDS = ["name", "phone", "preferred_time", "note", "consent", "website", "submission_key", "action", *AREA_FIELDS]
# Words the form knows, so the examples reach past "Not a valid choice": areas that mean something, and the buttons.
KNOWN = ["knee", "neck", "left", "right", "", "7", "10", "aching", "over-3-months", "add-area", "remove-0", "update"]
any_text = st.text(max_size=700) | st.text(alphabet=st.characters(codec="utf-8"), max_size=60) | st.sampled_from(KNOWN)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), any_text, min_size=1), htmx=st.booleans())
def test_arbitrary_text_in_any_field_never_gives_a_5xx(db_client, changes, htmx):
    # One form is opened per test: its token stays valid for the session, and each example gets a fresh
    # submission key (as a newly opened form would), so every example is a new request, never a resubmission.
    if not hasattr(db_client, "callback_token"):
        db_client.callback_token = hidden_fields(db_client.get("/callback"))["csrf_token"]
    fields = {"csrf_token": db_client.callback_token, "submission_key": str(uuid.uuid4())}
    response = db_client.post("/callback", data={**fields, **GOOD_CALLBACK, **changes}, headers=HTMX if htmx else {})
    assert response.status_code < 500, response.get_data(as_text=True)[:500]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(AREA_FIELDS), any_text, min_size=1), htmx=st.booleans())
def test_arbitrary_areas_from_the_pain_list_never_give_a_5xx(client, changes, htmx):
    response = client.post("/callback/from-list", data=changes, headers=HTMX if htmx else {})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
