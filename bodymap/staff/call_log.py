"""The call log: where it hurt (one area or several) and how each phone call ended, with no names, for insights.

The form has a fixed number of area rows, `areas-0-region`, `areas-0-side`, `areas-1-...`: the areas on screen
(a region's, or a request's), then SPARE_ROWS more set to "Not said", so several areas can be logged without
JavaScript. A row left at "Not said" is not stored; neither is a second row for the same region and side.
"""

from __future__ import annotations

from flask import current_app, flash, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired

from bodymap import content, data
from bodymap.areas.area import MAX_AREAS
from bodymap.data.models import CALL_OUTCOMES, CallLog, CallLogArea
from bodymap.staff import bp
from bodymap.staff.layout import local_page
from bodymap.web.forms import posted_form
from bodymap.web.rendering import fragment_or_redirect, is_htmx

SPARE_ROWS = 2  # empty rows under the areas already filled in
MIN_ROWS = 3


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
def log_call():
    """Log a call; htmx gets the form back (empty, with a note), a browser goes back to the guide."""
    form = CallLogForm(formdata=posted_form())
    if not form.validate():
        if not is_htmx():
            flash("The call was not logged: " + " ".join(_messages(form.errors)))
        return fragment_or_redirect(
            lambda: render_template("staff/_call_log_form.html", log_form=form), _back(form.next.data), status=422
        )
    areas = form.chosen()
    call = CallLog(outcome=form.outcome.data, staff_id=current_user.id)
    call.areas = [CallLogArea(position=n, region=region, side=side) for n, (region, side) in enumerate(areas)]
    data.request_session().add(call)
    data.request_session().commit()
    message = f"Call logged: {CALL_OUTCOMES[form.outcome.data].lower()}."
    if not is_htmx():
        flash(message)
    fresh = CallLogForm.prefilled(areas, form.next.data)
    return fragment_or_redirect(
        lambda: render_template("staff/_call_log_form.html", log_form=fresh, logged=message),
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
