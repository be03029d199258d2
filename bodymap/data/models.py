"""What the database keeps: callback requests (with the consent each patient gave, and every wording of it), staff
accounts, their sign-ins and one-time set-password links, the call log, daily view counts, the desk's email outbox,
the notify worker's heartbeats, clinicians' sign-offs of the content, and the audit trail of what staff did.

Only what each use needs: no patient names outside callback requests, no addresses or cookies
in the view counts.
"""

from __future__ import annotations

import datetime

from flask_login import UserMixin
from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, MetaData, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

PREFERRED_TIMES = {
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
    "any": "Any time",
}
STATUSES = ("new", "contacted", "booked", "closed")
CALL_OUTCOMES = {
    "booked": "Booked a visit",
    "left_message": "Left a message",
    "no_answer": "No answer",
    "callback": "Callback promised",
    "physician": "Referred to a physician",
    "emergency": "Emergency advised",
    "information": "Information only",
    "closed": "Closed: no call needed",
}


def utcnow() -> datetime.datetime:
    """Now, in UTC without a zone: every time in the database is UTC."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ix": "ix_%(column_0_label)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )


class CallbackRequest(Base):
    __tablename__ = "callback_requests"
    # The queue's order is newest first by (created_at, id); each status is a walk down its own part of that order.
    __table_args__ = (
        Index("ix_callback_requests_created_at_id", "created_at", "id"),
        Index("ix_callback_requests_status_created_at_id", "status", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per form shown: a double click, a resubmit or a retry stores one request.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +15035550142
    preferred_time: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    # The language of the form the patient sent ("en" or "es"): the front desk calls back in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # The patient ticked "The clinic may call me at this number": when, on a form in which language, and the digest
    # of the exact words shown (kept in consent_wordings). None for requests sent before consent was recorded.
    consent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    consent_language: Mapped[str | None] = mapped_column(String(8))
    consent_digest: Mapped[str | None] = mapped_column(String(64))
    # Where it hurts, in the order the patient listed the areas (none when they did not say).
    areas: Mapped[list[CallbackArea]] = relationship(
        order_by="CallbackArea.position", cascade="all, delete-orphan", lazy="selectin"
    )


class CallbackArea(Base):
    """One painful area of a callback request: a region and side, and what the patient said about it."""

    __tablename__ = "callback_areas"
    # The queue's region (and side) filter finds the requests naming an area without reading every area.
    __table_args__ = (Index("ix_callback_areas_region_side", "region", "side", "callback_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    callback_id: Mapped[int] = mapped_column(ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    region: Mapped[str] = mapped_column(String(40))
    side: Mapped[str | None] = mapped_column(String(8))
    pain: Mapped[int | None] = mapped_column(SmallInteger)  # 0 to 10
    feelings: Mapped[str] = mapped_column(String(120), default="")  # keys of areas.FEELINGS, comma-separated
    duration: Mapped[str | None] = mapped_column(String(16))  # a key of areas.DURATIONS


class StaffMember(UserMixin, Base):
    __tablename__ = "staff_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Raised when the password changes, so every session signed in with the old one ends.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    # What the account may do: admin, desk or clinician (what each may do is in bodymap.roles).
    role: Mapped[str] = mapped_column(String(16), default="desk", server_default="desk")
    # The name and credential a clinician signs with ("Dana Ruiz, PT, DPT"); may be empty for other roles.
    display_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The languages whose text a clinician reviews, as codes separated by commas ("en,es").
    review_languages: Mapped[str] = mapped_column(String(64), default="", server_default="")
    # Set when an admin turns the account off: it cannot sign in, and its sessions ended then. None: active.
    disabled_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    last_sign_in_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def reviews(self) -> tuple[str, ...]:
        """The languages this account reviews: ('en', 'es')."""
        return tuple(lang for lang in self.review_languages.split(",") if lang)

    @property
    def shown_name(self) -> str:
        """The name the account signs with, or its email."""
        return self.display_name or self.email


class StaffSession(Base):
    """One sign-in of a staff member, ended on the server by signing out, a new password, removing the account
    or `staff signout-everywhere`. The cookie carries a random token; only its SHA-256 is kept here, so a copy
    of this table opens nothing."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    # What the member sees in their list of sessions: "Firefox on Linux" and the network (IPv4 /24, IPv6 /48).
    device: Mapped[str] = mapped_column(String(80), default="", server_default="")
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")


class PasswordLink(Base):
    """A one-time link an admin gives a member to set their password: `/staff/set-password/<token>`. Only the
    token's SHA-256 is kept; it works once, until `expires_at` (24 hours)."""

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)


class CallLog(Base):
    """One phone call the front desk handled: where it hurt and how it ended, no names. A call made from a request's
    guide points at the request (None: a patient who phoned in, or a request since deleted)."""

    __tablename__ = "call_logs"
    __table_args__ = (Index("ix_call_logs_callback_id_id", "callback_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback_requests.id", ondelete="SET NULL"))
    areas: Mapped[list[CallLogArea]] = relationship(
        order_by="CallLogArea.position", cascade="all, delete-orphan", lazy="selectin"
    )


class CallLogArea(Base):
    """One area a logged call was about."""

    __tablename__ = "call_log_areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call_logs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    region: Mapped[str] = mapped_column(String(40))
    side: Mapped[str | None] = mapped_column(String(8))


class RegionView(Base):
    """How many times patients opened a region, on one side ("" when opened without one), on one day.
    Nothing else about them."""

    __tablename__ = "region_views"

    day: Mapped[datetime.date] = mapped_column(Date, primary_key=True)
    region: Mapped[str] = mapped_column(String(40), primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    views: Mapped[int] = mapped_column(Integer, default=0)


NOTIFICATION_KINDS = ("request", "reminder", "summary")


class Notification(Base):
    """An email to the front desk waiting in the outbox, or sent: written in the same transaction as what it is
    about, sent by `flask --app bodymap notify run`. It points at a request by id; the email never carries a
    patient's details, and neither does this row."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # one of NOTIFICATION_KINDS
    # One email per thing to say: "request:17", "reminder:17", "summary:2026-12-01"; two workers cannot add two.
    key: Mapped[str] = mapped_column(String(64), unique=True)
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback_requests.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # waiting -> claimed (a worker took it) -> sending (handed to the mail server) -> sent; or skipped; or unsure:
    # its worker stopped while the mail server was taking it, so it may have gone, and it is never sent again.
    status: Mapped[str] = mapped_column(String(8), default="waiting", index=True)
    claimed_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text, default="{}")  # counts for a summary; never a patient's details


class NotifyHeartbeat(Base):
    """A running `notify run` worker's sign of life, written at each pass: one row per worker (its host and process
    id). /metrics reads how long ago the newest came, wherever the worker runs; a worker removes rows a day old."""

    __tablename__ = "notify_heartbeats"

    worker: Mapped[str] = mapped_column(String(120), primary_key=True)  # "host:pid"
    started_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    beat_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class SignOff(Base):
    """A clinician vouching for one region's patient text in one language, as the panel showed it then.

    No content is kept here: only a digest of that exact text (`bodymap.content.patient_text`). While the file's
    text has the same digest the panel names the reviewer; any change of that text makes it a draft again. Rows are
    only ever added: the name and credential are copied, so a removed account's sign-offs still say who signed."""

    __tablename__ = "sign_offs"
    __table_args__ = (Index("ix_sign_offs_region_language", "region", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(40))  # the region's slug
    language: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the patient text, hex
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    signed_by: Mapped[str] = mapped_column(String(120))  # "Dana Ruiz, PT, DPT", as the account said then
    signed_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class ConsentWording(Base):
    """Every wording of the callback form's consent box patients have been shown, by its SHA-256: a request stores
    the digest, so its record still says what the patient agreed to after the words change."""

    __tablename__ = "consent_wordings"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    wording: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    first_seen: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """One thing a staff member (or the command line) did: append-only, kept AUDIT_RETENTION_DAYS.

    It names who (the account, and its email copied so a removed account's rows still say who), what (a word of
    `bodymap.audit.ACTIONS`), which request or account by id, the old and new values as short JSON of codes (status
    names, roles), the client's network (IPv4 /24, IPv6 /48) and the request id of the log lines. Never a patient's
    name, phone number or note. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0011)."""

    __tablename__ = "audit_events"
    # Newest first, filtered by person, action or request, within dates: each filter has an index that ends in
    # (at, id), the page's order, so a page is a short walk down one index and "older" pages continue from a key.
    __table_args__ = (
        Index("ix_audit_events_at_id", "at", "id"),
        Index("ix_audit_events_actor_at_id", "actor", "at", "id"),
        Index("ix_audit_events_action_at_id", "action", "at", "id"),
        Index("ix_audit_events_target_at_id", "target_kind", "target_id", "at", "id"),
        Index("ix_audit_events_staff_id", "staff_id"),  # removing an account sets its rows' staff_id to NULL
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254))  # the account's email then, "command line" or "unknown account"
    action: Mapped[str] = mapped_column(String(32))
    target_kind: Mapped[str | None] = mapped_column(String(16))  # "request", "account", "call", "sign-off"
    target_id: Mapped[int | None] = mapped_column(Integer)
    old_value: Mapped[str | None] = mapped_column(String(400))
    new_value: Mapped[str | None] = mapped_column(String(400))
    address: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(128))
