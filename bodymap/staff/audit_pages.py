"""`/staff/audit` and `/staff/audit.csv`, for admins: the audit trail, newest first, filtered by person, request,
action and dates (days in the clinic's time zone), 50 rows a page; the CSV holds every row the filters keep.

Both are GET only: anything else gets 405 and changes nothing. A filter that cannot be read (a date that is no date,
a request number in other digits than 0-9, an action not in the vocabulary) comes back as the page with what was
typed and why (400). Pages after the first continue from a row's id (`before`, `after`), never from an offset.
The CSV streams: BATCH rows a query, written as they come, so its size never sits in memory; exporting it is itself
audited, with the filters used.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request, stream_with_context
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from bodymap import audit, content, data
from bodymap.audit import reading
from bodymap.data.models import StaffMember, utcnow
from bodymap.roles import Permission, requires
from bodymap.staff import bp
from bodymap.staff.layout import staff_title
from bodymap.web.forms import whole_number

FIRST_YEAR, LAST_YEAR = 2000, 2999  # dates outside these are typing mistakes


class AuditFilter(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what to show

    person = StringField("Person (email)", validators=[Optional(), Length(max=254)])
    request = StringField("Request number", validators=[Optional(), Length(max=9)])
    action = SelectField("Action", choices={"": "Any"} | audit.ACTIONS, default="")
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])

    def validate_request(self, field) -> None:
        if field.data and whole_number(field.data.strip()) is None:
            raise ValidationError("A request number is written in the digits 0 to 9, such as 17.")

    def validate_since(self, field) -> None:
        if field.data and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
            raise ValidationError(f"Pick a date between {FIRST_YEAR} and {LAST_YEAR}.")

    def validate_until(self, field) -> None:
        self.validate_since(field)
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The last day comes before the first.")

    def filters(self) -> reading.Filters:
        zone = ZoneInfo(content.get(current_app).clinic.timezone)

        def utc(day: datetime.date) -> datetime.datetime:
            local = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
            return local.astimezone(datetime.UTC).replace(tzinfo=None)

        return reading.Filters(
            person=(self.person.data or "").strip().lower(),
            request=whole_number((self.request.data or "").strip()),
            action=self.action.data or "",
            since=utc(self.since.data) if self.since.data else None,
            until=utc(self.until.data + datetime.timedelta(days=1)) if self.until.data else None,
        )

    def query_args(self, **changes) -> dict[str, str]:
        args = {
            "person": (self.person.data or "").strip(),
            "request": (self.request.data or "").strip(),
            "action": self.action.data or "",
            "since": self.since.data.isoformat() if self.since.data else "",
            "until": self.until.data.isoformat() if self.until.data else "",
            **changes,
        }
        return {key: value for key, value in args.items() if value not in ("", None)}

    def as_codes(self) -> dict[str, str | int]:
        """The filters as the export's audit row keeps them."""
        found = self.query_args()
        if "request" in found:
            found["request"] = whole_number(found["request"])
        return found


def _filter_form() -> AuditFilter:
    form = AuditFilter(request.args)
    form.validate()
    return form


def _key(name: str) -> int | None | bool:
    """A page key from the query: its row id, None when absent, False when it is no row id at all."""
    value = request.args.get(name)
    if value in (None, ""):
        return None
    return whole_number(value) or False


def _accounts_named(rows) -> dict[int, str]:
    """The email of each account the page's rows point at, in one query (a removed one is missing)."""
    ids = {row.target_id for row in rows if row.target_kind == "account" and row.target_id is not None}
    if not ids:
        return {}
    query = select(StaffMember.id, StaffMember.email).where(StaffMember.id.in_(ids))
    return dict(data.request_session().execute(query).all())


def _page(form: AuditFilter, found: reading.Page | None, status: int = 200, problem: str | None = None):
    emails = list(data.request_session().scalars(select(StaffMember.email).order_by(StaffMember.email)))
    rows = found.rows if found else []
    page = render_template(
        "staff/audit.html",
        filters=form,
        found=found,
        rows=rows,
        accounts=_accounts_named(rows),
        people=[*emails, audit.COMMAND_LINE, audit.UNKNOWN_ACCOUNT],
        actions=audit.ACTIONS,
        changes=reading.changes,
        problem=problem,
        title=staff_title("Audit trail"),
    )
    return current_app.make_response((page, status))


@bp.get("/audit")
@requires(Permission.AUDIT)
def audit_trail():
    form = _filter_form()
    if form.errors:
        return _page(form, None, 400, "Some filters could not be read: see below.")
    before, after = _key("before"), _key("after")
    if before is False or after is False:
        return _page(form, None, 400, "That page is not one we know. Start again from the newest.")
    try:
        found = reading.page(data.request_session(), form.filters(), before=before, after=after)
    except reading.UnknownKey:
        return _page(form, None, 400, "That page is not one we know (its rows may have been purged). Start again.")
    return _page(form, found)


@bp.get("/audit.csv")
@requires(Permission.AUDIT)
def audit_csv():
    """Every row the filters keep, as CSV, streamed; the export itself goes into the trail first."""
    form = _filter_form()
    if form.errors:
        return _page(form, None, 400, "Some filters could not be read: see below.")
    filters = form.filters()
    db_session = data.request_session()
    audit.record(db_session, "csv_exported", current_user, new={"export": "audit", **form.as_codes()})
    db_session.commit()
    lines = reading.csv_lines(reading.every_row(db_session, filters))
    filename = f"audit-trail-{utcnow():%Y-%m-%d}.csv"
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
