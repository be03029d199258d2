"""The callback queue: newest first, filtered, paged, a status change in one click."""

from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from bodymap import content, data
from bodymap.data.models import STATUSES, CallbackRequest
from bodymap.staff import bp
from bodymap.staff.layout import local_page, staff_title
from bodymap.web.rendering import fragment_or_redirect

PAGE_SIZE = 50


class QueueFilter(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what to show

    status = SelectField("Status", choices={"": "All"} | {s: s.capitalize() for s in STATUSES}, default="")
    region = SelectField("Region", default="")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = {"": "All"} | {r.slug: r.name for r in content.get(current_app).regions}

    def query_args(self, **changes) -> dict[str, str | int]:
        args = {"status": self.status.data or "", "region": self.region.data or "", "page": self.page.data or 1}
        args.update(changes)
        return {key: value for key, value in args.items() if value not in ("", None, 1)}


class StatusChange(FlaskForm):
    status = SelectField("Status", choices={s: s.capitalize() for s in STATUSES}, validators=[InputRequired()])
    next = HiddenField()


def _requests(filters: QueueFilter) -> tuple[list[CallbackRequest], bool]:
    query = select(CallbackRequest).order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
    if filters.status.data:
        query = query.where(CallbackRequest.status == filters.status.data)
    if filters.region.data:
        query = query.where(CallbackRequest.region == filters.region.data)
    page = filters.page.data or 1
    rows = list(data.session().scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _filters() -> QueueFilter:
    filters = QueueFilter(request.args)
    if not filters.validate():
        abort(400, description="That filter is not one we know. Pick a status and region from the lists.")
    return filters


def _queue(template: str, **context):
    filters = _filters()
    rows, more = _requests(filters)
    back = url_for("staff.queue", **filters.query_args())  # where a status change returns to
    return render_template(template, filters=filters, rows=rows, more=more, back=back, **context)


@bp.get("/callbacks")
def queue():
    return _queue("staff/queue.html", title=staff_title("Callback requests"))


@bp.get("/callbacks/rows")
def queue_rows():
    """The table alone, for polling: new requests appear without a reload."""
    return _queue("staff/_queue_table.html", poll=True)


def _back(target: str | None) -> str:
    return local_page(target, "/staff/callbacks", "staff.queue")


@bp.post("/callbacks/<int:request_id>/status")
def change_status(request_id: int):
    callback = data.session().get(CallbackRequest, request_id)
    if callback is None:
        abort(404)
    form = StatusChange()
    if not form.validate():
        abort(400, description="That status is not one we know: new, contacted, booked or closed.")
    callback.status = form.status.data
    data.session().commit()
    back = _back(form.next.data)
    return fragment_or_redirect(lambda: render_template("staff/_callback_row.html", row=callback, back=back), back)
