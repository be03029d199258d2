"""The callback queue: overdue requests first, then newest first; filtered, paged, a status change in one click.

A new request is overdue when the window the patient chose to be called in (morning, afternoon, evening,
any time; see `bodymap.notify.schedule`) has ended or ends within 30 minutes. Overdue requests lead the
first page whatever their age, marked in words, the window that ends first at the top.

Each row lists every area of the request, highest score first, and the language the patient wrote in when it is
not English (`language=es` shows only those). `sort=score` orders the whole queue by each
request's highest score instead (requests without a score last, newest first among equals); overdue rows are
then still marked, but do not lead. Each row says its last logged call and who made it.

Opening the queue is reading personal data (up to 35 names and numbers at once), so it is audited: one row each time
a member opens or reloads it, with the filters and how many requests it showed. The table's own refresh every 20
seconds is not (the page was opened, by that member; the refresh is the same page kept up to date). A status change is
audited with the old and the new status.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from flask import abort, current_app, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import and_, case, func, select
from wtforms import HiddenField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from bodymap import audit, content, data
from bodymap.data.models import STATUSES, CallbackArea, CallbackRequest, utcnow
from bodymap.notify.schedule import Deadline, Schedule, clock
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.call_log import last_calls
from bodymap.staff.layout import LANGUAGES_IN_ENGLISH, local_page, new_callback_count, staff_title
from bodymap.web.forms import posted_form
from bodymap.web.rendering import fragment_or_redirect

# A page is what one person at the desk works through before it refreshes (every 20 seconds): 25 requests, and on
# the first page up to 10 overdue ones above them. Older ones are a click away; the page stays quick to draw and to
# refresh on a busy day (every row costs the server and the browser alike).
PAGE_SIZE = 25
OVERDUE_SCAN = 500  # new requests looked at for overdue ones: far more than a desk leaves waiting
OVERDUE_FIRST = 10  # overdue requests that lead the first page, the longest waiting; the others keep their place
SORTS = {"": "Overdue first, then newest", "score": "Highest pain score first"}
SIDES = {"": "Any", "left": "Left", "right": "Right"}
# Staff pages are in English, so the filter names each language in English; a row names it in its own ("Español").
LANGUAGE_CHOICES = {"": "Any"} | LANGUAGES_IN_ENGLISH


class QueueFilter(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what to show

    status = SelectField("Status", choices={"": "All"} | {s: s.capitalize() for s in STATUSES}, default="")
    region = SelectField("Region", default="")
    side = SelectField("Side", choices=SIDES, default="")
    language = SelectField("Language", choices=LANGUAGE_CHOICES, default="")
    sort = SelectField("Order", choices=SORTS, default="")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100_000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = {"": "All"} | {r.slug: r.name for r in content.get(current_app).regions}

    @property
    def narrowed(self) -> bool:
        """Some requests may be left out (the order alone leaves none out)."""
        return bool(self.status.data or self.region.data or self.side.data or self.language.data)

    def query_args(self, **changes) -> dict[str, str | int]:
        args = {
            "status": self.status.data or "",
            "region": self.region.data or "",
            "side": self.side.data or "",
            "language": self.language.data or "",
            "sort": self.sort.data or "",
            "page": self.page.data or 1,
        }
        args.update(changes)
        return {key: value for key, value in args.items() if value not in ("", None, 1)}


class StatusChange(FlaskForm):
    status = SelectField("Status", choices={s: s.capitalize() for s in STATUSES}, validators=[InputRequired()])
    next = HiddenField()


@dataclass(frozen=True)
class Due:
    """When a new request's window ends, as the row says it."""

    deadline: Deadline
    overdue: bool
    past: bool
    text: str  # "Call by 12 PM today", "window ends 12 PM today", "window ended 5 PM yesterday"


def _day(moment: datetime.datetime, today: datetime.date) -> str:
    days = (moment.date() - today).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days, f"{moment:%a} {moment.day} {moment:%b}")


def call_by(rows: list[CallbackRequest], schedule: Schedule, now: datetime.datetime) -> dict[int, Due]:
    """When each new request among `rows` should be called by, and whether it is overdue at `now`."""
    today = schedule.local(now).date()
    due = {}
    for row in rows:
        if row.status != "new":
            continue
        deadline = schedule.deadline(row.created_at, row.preferred_time)
        when = f"{clock(deadline.local)} {_day(deadline.local, today)}"
        if deadline.past(now):
            text = f"window ended {when}"
        elif deadline.overdue(now):
            text = f"window ends {when}"
        else:
            text = f"Call by {when}"
        due[row.id] = Due(deadline, deadline.overdue(now), deadline.past(now), text)
    return due


def overdue_first(rows, schedule: Schedule, now: datetime.datetime) -> tuple[list, list]:
    """`rows` (anything with an id, status, created_at and preferred_time) split into the overdue ones (the window
    that ends first at the top) and the rest, in their order. Only deadlines are worked out: no words."""
    ends = {
        row.id: deadline.at
        for row in rows
        if row.status == "new" and (deadline := schedule.deadline(row.created_at, row.preferred_time)).overdue(now)
    }
    overdue = sorted((row for row in rows if row.id in ends), key=lambda row: ends[row.id])
    return overdue, [row for row in rows if row.id not in ends]


def _requests(
    filters: QueueFilter, schedule: Schedule, now: datetime.datetime
) -> tuple[list[CallbackRequest], int, list[CallbackRequest], bool]:
    """The overdue requests that lead the first page (up to OVERDUE_FIRST, the longest waiting) and how many are
    overdue in all; the page of the rest, newest first (overdue ones past the first few among them); whether more
    follow. So the first page costs the same however many requests a desk has left waiting.

    Sorted by score, no request leads for being overdue: the page is simply the highest scores first.
    """
    query = select(CallbackRequest)
    if filters.status.data:
        query = query.where(CallbackRequest.status == filters.status.data)
    if filters.language.data:
        query = query.where(CallbackRequest.language == filters.language.data)
    where = []  # a request is shown when one of its areas is the region (and side) asked for
    if filters.region.data:
        where.append(CallbackArea.region == filters.region.data)
    if filters.side.data:
        where.append(CallbackArea.side == filters.side.data)
    if where:
        query = query.where(CallbackRequest.areas.any(and_(*where)))
    if filters.sort.data == "score":
        top = (
            select(CallbackArea.callback_id, func.max(CallbackArea.pain).label("pain"))
            .group_by(CallbackArea.callback_id)
            .subquery()
        )
        query = query.outerjoin(top, top.c.callback_id == CallbackRequest.id).order_by(
            case((top.c.pain.is_(None), 1), else_=0), top.c.pain.desc()
        )
    session = data.request_session()
    overdue = []
    if filters.status.data in ("", None, "new") and filters.sort.data != "score":
        # The scan reads only what a deadline needs; the few that lead are then read whole, with their areas.
        columns = (
            CallbackRequest.id,
            CallbackRequest.status,
            CallbackRequest.created_at,
            CallbackRequest.preferred_time,
        )
        waiting = query.with_only_columns(*columns).where(CallbackRequest.status == "new")
        overdue, _ = overdue_first(
            list(session.execute(waiting.order_by(CallbackRequest.created_at).limit(OVERDUE_SCAN))), schedule, now
        )
    order = {row.id: place for place, row in enumerate(overdue[:OVERDUE_FIRST])}
    leading: list[CallbackRequest] = []
    if order:  # they lead the first page, so no later page shows them again
        whole = session.scalars(select(CallbackRequest).where(CallbackRequest.id.in_(order)))
        leading = sorted(whole, key=lambda row: order[row.id])
        query = query.where(CallbackRequest.id.not_in(order))
    query = query.order_by(CallbackRequest.created_at.desc(), CallbackRequest.id.desc())
    page = filters.page.data or 1
    rows = list(session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return (leading if page == 1 else []), len(overdue), rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def _filters() -> QueueFilter:
    filters = QueueFilter(request.args)
    if not filters.validate():
        abort(400, description="That filter is not one we know. Pick a status, region, side and order from the lists.")
    return filters


def _schedule() -> Schedule:
    """The clinic's schedule, read once for the content served (and the deadlines it remembers kept with it)."""
    clinic = content.get(current_app).clinic
    kept = current_app.extensions.get("bodymap.queue_schedule")
    if kept is None or kept[0] is not clinic:
        kept = current_app.extensions["bodymap.queue_schedule"] = (clinic, Schedule.of(clinic))
    return kept[1]


def queue_title(new: int) -> str:
    """The tab's title, which carries the count of new requests so a tab in the background shows it."""
    return staff_title("Callback requests") if not new else f"{new} new · " + staff_title("Callback requests")


def _queue(template: str, audited: bool = False, **context):
    filters = _filters()
    schedule, now = _schedule(), utcnow()
    overdue, overdue_in_all, rows, more = _requests(filters, schedule, now)
    shown = overdue + rows
    back = url_for("staff.queue", **filters.query_args())  # where a status change returns to
    if audited:
        new = {"shown": len(shown), **filters.query_args()}
        audit.record(data.request_session(), "queue_viewed", current_user, new=new)
        data.request_session().commit()
    return render_template(
        template,
        filters=filters,
        rows=shown,
        overdue=len(overdue),
        overdue_further=overdue_in_all - len(overdue) if overdue else 0,
        due=call_by(shown, schedule, now),
        calls=last_calls([row.id for row in shown]),
        more=more,
        back=back,
        title=queue_title(new_callback_count()),
        **context,
    )


@bp.get("/callbacks")
@requires(Permission.CALLBACKS)
def queue():
    return _queue("staff/queue.html", audited=True)


@bp.get("/callbacks/rows")
@requires(Permission.CALLBACKS)
def queue_rows():
    """The table alone, for polling: new requests appear without a reload."""
    return _queue("staff/_queue_table.html", poll=True)


def _back(target: str | None) -> str:
    return local_page(target, "/staff/callbacks", "staff.queue")


@bp.post("/callbacks/<id:request_id>/status")
@requires(Permission.CALLBACKS)
def change_status(request_id: int):
    callback = data.request_session().get(CallbackRequest, request_id)
    if callback is None:
        abort(404)
    form = StatusChange(formdata=posted_form())
    if not form.validate():
        abort(400, description="That status is not one we know: new, contacted, booked or closed.")
    before = callback.status
    if form.status.data != before:
        callback.status = form.status.data
        target = ("request", callback.id)
        audit.record(
            data.request_session(), "status_changed", current_user, target=target, old={"status": before},
            new={"status": callback.status},
        )  # fmt: skip
        data.request_session().commit()
    back = _back(form.next.data)
    due = call_by([callback], _schedule(), utcnow())
    calls = last_calls([callback.id])
    return fragment_or_redirect(
        lambda: render_template("staff/_callback_rows.html", rows=[callback], back=back, due=due, calls=calls), back
    )
