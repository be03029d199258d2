"""The call log: where it hurt and how each phone call ended, with no names, for insights."""

from __future__ import annotations

from flask import current_app, flash, render_template
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired

from bodymap import content, data
from bodymap.data.models import CALL_OUTCOMES, CallLog
from bodymap.staff import bp
from bodymap.staff.layout import local_page
from bodymap.web.rendering import fragment_or_redirect, is_htmx


class CallLogForm(FlaskForm):
    region = SelectField("Where it hurts")
    side = SelectField("Side", choices={"": "None or not sure", "left": "Left", "right": "Right"})
    outcome = RadioField(
        "How the call ended", choices=CALL_OUTCOMES, validators=[InputRequired("Please pick how the call ended.")]
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = {"": "Not said"} | {r.slug: r.name for r in content.get(current_app).regions}


def _back(target: str | None) -> str:
    """Back to the call guide page the form was sent from, and never anywhere else."""
    return local_page(target, "/staff/guide", "staff.call_guide")


@bp.post("/calls")
def log_call():
    """Log a call; htmx gets the form back (empty, with a note), a browser goes back to the guide."""
    form = CallLogForm()
    if not form.validate():
        if not is_htmx():
            flash("The call was not logged: " + " ".join(e for errors in form.errors.values() for e in errors))
        return fragment_or_redirect(
            lambda: render_template("staff/_call_log_form.html", log_form=form), _back(form.next.data), status=422
        )
    region = form.region.data or None
    side = form.side.data if region and form.side.data in content.get(current_app).region(region).sides else None
    data.session().add(CallLog(region=region, side=side, outcome=form.outcome.data, staff_id=current_user.id))
    data.session().commit()
    message = f"Call logged: {CALL_OUTCOMES[form.outcome.data].lower()}."
    if not is_htmx():
        flash(message)
    fresh = CallLogForm(formdata=None, region=form.region.data, side=form.side.data)
    fresh.next.data = form.next.data
    return fragment_or_redirect(
        lambda: render_template("staff/_call_log_form.html", log_form=fresh, logged=message),
        _back(form.next.data),
        status=201,
    )
