"""Whatever text lands in whatever field, the answer is never a server error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import GOOD_CALLBACK, HTMX, hidden_fields

FIELDS = ["name", "phone", "preferred_time", "region", "side", "pain", "note", "consent", "website", "submission_key"]
any_text = st.text(max_size=700) | st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), any_text, min_size=1), htmx=st.booleans())
def test_arbitrary_text_in_any_field_never_gives_a_5xx(db_app, db_client, changes, htmx):
    client = db_app.test_client()
    fields = hidden_fields(client.get("/callback"))
    response = client.post("/callback", data={**fields, **GOOD_CALLBACK, **changes}, headers=HTMX if htmx else {})
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
