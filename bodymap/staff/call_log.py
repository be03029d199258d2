"""The call log: where it hurt (one area or several) and how each phone call ended, with no names, for insights.

A call logged from a request's guide (`POST /staff/callbacks/<id>/calls`) belongs to the request and moves its
status by the outcome (OUTCOME_STATUS), never backwards: a reminder call that leaves a message does not take a booked
request back to contacted, and no answer changes nothing. A call with no request (a patient who phoned in) is logged
from the call guide with `POST /staff/calls`. Both are audited. The queue shows each request's last call and who made
it, read for a whole page in one query (`last_calls`).

The form has a fixed number of area rows, `areas-0-region`, `areas-0-side`, `areas-1-...`: the areas on screen
(a region's, or a request's), then SPARE_ROWS more set to "Not said", so several areas can be logged without
JavaScript. A row left at "Not said" is not stored; neither is a second row for the same region and side.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import abort, current_app, flash, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired

from bodymap import audit, content, data
from bodymap.areas.area import MAX_AREAS
from bodymap.data.models import CALL_OUTCOMES, CallbackRequest, CallLog, CallLogArea, StaffMember
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.layout import local_page
from bodymap.web.forms import posted_form
from bodymap.web.rendering import fragment_or_redirect, is_htmx

SPARE_ROWS = 2  # empty rows under the areas already filled in
MIN_ROWS = 3

# The status a call's outcome gives its request (None: the call changes nothing)...
OUTCOME_STATUS = {
    "booked": "booked",
    "left_message": "contacted",
    "no_answer": None,
    "callback": "contacted",
    "physician": "closed",
    "emergency": "closed",
    "information": "closed",
    "closed": "closed",
}
assert set(OUTCOME_STATUS) == set(CALL_OUTCOMES), "an outcome without its status"
# ...as long as it moves the request forward: booked and closed are both the end of the road.
STATUS_STEP = {"new": 0, "contacted": 1, "booked": 2, "closed": 2}


def status_after(current: str, outcome: str) -> str:
    """The request's status once a call with `outcome` is logged: the outcome's, unless that would go backwards."""
    target = OUTCOME_STATUS.get(outcome)
    if target is None or STATUS_STEP[target] < STATUS_STEP.get(current, 0):
        return current
    return target


@dataclass(frozen=True)
class LastCall:
    outcome: str
    at: datetime.datetime
    by: str  # the name the account signs with, or its email; "a removed account"


def last_calls(request_ids: list[int]) -> dict[int, LastCall]:
    """Each request's latest logged call and who made it, for all of `request_ids` in one query."""
    if not request_ids:
        return {}
    later = aliased(CallLog)
    newest = select(func.max(later.id)).where(later.callback_id == CallLog.callback_id).scalar_subquery()
    query = (  # the calls of these requests, from the index on (callback_id, id), keeping each request's newest
        select(CallLog.callback_id, CallLog.outcome, CallLog.created_at, StaffMember.display_name, StaffMember.email)
        .where(CallLog.callback_id.in_(request_ids), CallLog.id == newest)
        .outerjoin(StaffMember, StaffMember.id == CallLog.staff_id)
    )
    return {
        row.callback_id: LastCall(row.outcome, row.created_at, row.display_name or row.email or "a removed account")
        for row in data.request_session().execute(query)
    }


class CallAreaForm(Form):
    """One area of a call. Its region choices come from the content (set by CallLogForm)."""

    region = SelectField("Where it hurts", choices=[])
    side = SelectField("Side", choices={"": "None or not sure", "left": "Left", "right": "Right"})


class CallLogForm(FlaskForm):
    areas = FieldList(FormField(CallAreaForm), max_entries=MAX_AREAS)
    outcome = RadioField(
        "How the call ended", choices=CALL_OUTCOMES, validators=[InputRequired("Please pick how the call ended.")]
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        regions = {"": "Not said"} | {r.slug: r.name for r in content.get(current_app).regions}
        for entry in self.areas:
            entry.form.region.choices = regions

    @classmethod
    def prefilled(cls, areas: list[tuple[str, str | None]], next_page: str) -> CallLogForm:
        """A blank form whose first rows are `areas` (region slug, side), with spare rows under them."""
        rows = min(MAX_AREAS, max(MIN_ROWS, len(areas) + SPARE_ROWS))
        filled = [{"region": region, "side": side or ""} for region, side in areas[:rows]]
        return cls(formdata=None, data={"areas": filled + [{}] * (rows - len(filled)), "next": next_page})

    def chosen(self) -> list[tuple[str, str | None]]:
        """The areas picked, in order, each once; a side the region lacks is dropped."""
        loaded = content.get(current_app)
        found: dict[tuple[str, str | None], None] = {}
        for entry in self.areas:
            region = loaded.region(entry.form.region.data or "")
            if region is None:
                continue
            side = entry.form.side.data if entry.form.side.data in region.sides else None
            found.setdefault((region.slug, side), None)
        return list(found)


def _back(target: str | None) -> str:
    """Back to the call guide page the form was sent from (a region's or a request's), and never anywhere else."""
    return local_page(target, ("/staff/guide", "/staff/callbacks/"), "staff.call_guide")


@bp.post("/calls")
@requires(Permission.CALLBACKS)
def log_call():
    """Log a call about no request; htmx gets the form back (empty, with a note), a browser goes back to the guide."""
    return _logged(None)


@bp.post("/callbacks/<id:request_id>/calls")
@requires(Permission.CALLBACKS)
def log_request_call(request_id: int):
    """Log a call about a request: it belongs to the request and moves its status by the outcome."""
    callback = data.request_session().get(CallbackRequest, request_id)
    if callback is None:
        abort(404)
    return _logged(callback)


def _logged(callback: CallbackRequest | None):
    form = CallLogForm(formdata=posted_form())
    context = {"callback": callback} if callback is not None else {}
    if not form.validate():
        if not is_htmx():
            flash("The call was not logged: " + " ".join(_messages(form.errors)))
        return fragment_or_redirect(
            lambda: render_template("staff/_call_log_form.html", log_form=form, **context),
            _back(form.next.data),
            status=422,
        )
    areas = form.chosen()
    outcome = form.outcome.data
    db_session = data.request_session()
    call = CallLog(outcome=outcome, staff_id=current_user.id, callback_id=callback.id if callback else None)
    call.areas = [CallLogArea(position=n, region=region, side=side) for n, (region, side) in enumerate(areas)]
    db_session.add(call)
    db_session.flush()
    message = f"Call logged: {CALL_OUTCOMES[outcome].lower()}."
    if callback is None:
        audit.record(db_session, "call_logged", current_user, target=("call", call.id), new={"outcome": outcome})
    else:
        before = callback.status
        callback.status = status_after(before, outcome)
        audit.record(
            db_session,
            "call_logged",
            current_user,
            target=("request", callback.id),
            old={"status": before},
            new={"outcome": outcome, "status": callback.status, "call": call.id},
        )
        moved = f"The request is now {callback.status}." if callback.status != before else f"It stays {before}."
        message = f"{message} {moved}"
    db_session.commit()
    if not is_htmx():
        flash(message)
    fresh = CallLogForm.prefilled(areas, form.next.data)
    if callback is not None:
        context["last_call"] = last_calls([callback.id]).get(callback.id)
    return fragment_or_redirect(
        lambda: render_template("staff/_call_log_form.html", log_form=fresh, logged=message, **context),
        _back(form.next.data),
        status=201,
    )


def _messages(errors) -> list[str]:
    """Every message in WTForms' errors, however deeply the repeated rows nest them."""
    if isinstance(errors, str):
        return [errors]
    if isinstance(errors, dict):
        errors = errors.values()
    return [message for error in errors for message in _messages(error)]
