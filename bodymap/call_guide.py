"""The call guide: the body map for staff on the phone, a script to read aloud, and the call log."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField
from wtforms.validators import InputRequired

from bodymap import content, db
from bodymap.content import Region
from bodymap.models import CALL_OUTCOMES, CallLog
from bodymap.public import region_and_side
from bodymap.staff import bp, local_page, staff_title

MAP_LINKS = {"page_endpoint": "staff.call_guide_region", "panel_endpoint": "staff.call_guide_panel"}


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


def _log_form(region: Region | None, side: str | None) -> CallLogForm:
    form = CallLogForm(formdata=None, region=region.slug if region else "", side=side or "")
    form.next.data = request.full_path.rstrip("?") if region else url_for("staff.call_guide")
    return form


def _page(region: Region | None, side: str | None):
    title = staff_title(f"Call guide: {region.label(side)}" if region else "Call guide")
    return render_template(
        "staff/call_guide.html", region=region, side=side, log_form=_log_form(region, side), title=title, **MAP_LINKS
    )


@bp.get("/guide")
def call_guide():
    return _page(None, None)


@bp.get("/guide/<slug>")
def call_guide_region(slug: str):
    return _page(*region_and_side(slug))


@bp.get("/guide/<slug>/panel")
def call_guide_panel(slug: str):
    region, side = region_and_side(slug)
    if request.headers.get("HX-Request") != "true":
        return redirect(url_for("staff.call_guide_region", slug=slug, side=side), 303)
    response = current_app.make_response(
        render_template(
            "staff/script.html",
            region=region,
            side=side,
            log_form=_log_form(region, side),
            title=staff_title(f"Call guide: {region.label(side)}"),
        )
    )
    response.vary.add("HX-Request")
    return response


def _back(target: str | None) -> str:
    return local_page(target, "/staff/guide", "staff.call_guide")


@bp.post("/calls")
def log_call():
    form = CallLogForm()
    htmx = request.headers.get("HX-Request") == "true"
    if not form.validate():
        if htmx:
            return render_template("staff/_call_log_form.html", log_form=form), 422
        flash("The call was not logged: " + " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(_back(form.next.data), 303)
    region = form.region.data or None
    side = form.side.data if region and form.side.data in content.get(current_app).region(region).sides else None
    db.session().add(CallLog(region=region, side=side, outcome=form.outcome.data, staff_id=current_user.id))
    db.session().commit()
    message = f"Call logged: {CALL_OUTCOMES[form.outcome.data].lower()}."
    if htmx:
        fresh = CallLogForm(formdata=None, region=form.region.data, side=form.side.data)
        fresh.next.data = form.next.data
        return render_template("staff/_call_log_form.html", log_form=fresh, logged=message), 201
    flash(message)
    return redirect(_back(form.next.data), 303)
