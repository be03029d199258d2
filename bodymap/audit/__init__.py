"""The audit trail: who did what, when, to which request or account. One append-only row per staff action.

`record()` adds a row to the caller's database session, so it is committed in the same transaction as the change it
records (a status change and its row are stored together or not at all). A row names:

- who: the account (its id, and its email copied, so a removed account's rows still say who), `command line` for a
  `flask --app bodymap staff ...` command, or `unknown account` for a failed sign-in to an email with no account (the
  typed email is never kept);
- what: one word of ACTIONS;
- which request or account, by id; never a patient's name, phone number or note;
- old and new values as short JSON of codes (status names, roles, outcomes, a staff email);
- the client's network (IPv4 /24, IPv6 /48) and the request id that the log lines of the same request carry.

Nothing in the app changes or deletes a row but `callbacks purge`, past AUDIT_RETENTION_DAYS (`bodymap.data.retention`);
on PostgreSQL a trigger refuses anything else (migration 0011). The admins' pages are in `bodymap.staff.audit_pages`,
the reading and paging in `bodymap.audit.reading`.
"""

from __future__ import annotations

import json

from flask import has_request_context, request
from sqlalchemy.orm import Session

from bodymap.data.models import AuditEvent, StaffMember, utcnow
from bodymap.operations.access import network
from bodymap.operations.logs import REQUEST_ID

# The fixed vocabulary: each action as the audit page says it.
ACTIONS = {
    "signed_in": "Signed in",
    "sign_in_failed": "Failed sign-in",
    "signed_out": "Signed out",
    "session_timed_out": "Session ran out",
    "session_ended": "Ended one of their sessions",
    "queue_viewed": "Opened the callback queue",
    "request_viewed": "Opened a request's call guide",
    "status_changed": "Changed a request's status",
    "call_logged": "Logged a call",
    "csv_exported": "Exported a CSV file",
    "account_added": "Added an account",
    "role_changed": "Changed a role",
    "account_disabled": "Disabled an account",
    "account_enabled": "Re-enabled an account",
    "signed_out_everywhere": "Signed an account out everywhere",
    "account_removed": "Removed an account",
    "password_link_made": "Made a set-password link",
    "password_set": "Set a password",
    "content_signed_off": "Signed off content",
}
TARGET_KINDS = ("request", "account", "call", "sign-off")
COMMAND_LINE = "command line"
UNKNOWN_ACCOUNT = "unknown account"
VALUE_LIMIT = AuditEvent.old_value.type.length  # characters of JSON per value


def encoded(values: dict | None) -> str | None:
    """`{"status": "new"}` as compact JSON, keys in order; refused (ValueError) if it would not fit its column."""
    if values is None:
        return None
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(text) > VALUE_LIMIT:
        raise ValueError(f"an audit value is over {VALUE_LIMIT} characters: only codes belong there")
    return text


def record(
    db_session: Session,
    action: str,
    member: StaffMember | None = None,
    *,
    actor: str | None = None,
    target: tuple[str, int | None] | None = None,
    old: dict | None = None,
    new: dict | None = None,
) -> AuditEvent:
    """Add one row for `action`, done by `member` (None: the command line, or `actor` when given), to `db_session`;
    the caller commits it with the change it records."""
    if action not in ACTIONS:
        raise ValueError(f"{action!r} is not an audit action")
    kind, target_id = target or (None, None)
    if kind is not None and kind not in TARGET_KINDS:
        raise ValueError(f"{kind!r} is not an audit target")
    in_request = has_request_context()
    member = getattr(member, "_get_current_object", lambda: member)()  # flask_login's current_user is a proxy
    row = AuditEvent(
        at=utcnow(),
        staff_id=member.id if member is not None else None,
        actor=member.email if member is not None else (actor or COMMAND_LINE),
        action=action,
        target_kind=kind,
        target_id=target_id,
        old_value=encoded(old),
        new_value=encoded(new),
        address=network(request.remote_addr) if in_request else None,
        request_id=REQUEST_ID.get() if in_request else None,
    )
    db_session.add(row)
    return row
