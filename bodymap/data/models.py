"""What the database keeps: callback requests, staff accounts and their sign-ins, the call log, daily view counts,
the desk's email outbox and the notify worker's heartbeats.

Only what each use needs: no patient names outside callback requests, no addresses or cookies
in the view counts.
"""

from __future__ import annotations

import datetime

from flask_login import UserMixin
from sqlalchemy import Date, DateTime, ForeignKey, Integer, MetaData, SmallInteger, String, Text
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
    "callback": "Callback promised",
    "physician": "Referred to a physician",
    "emergency": "Emergency advised",
    "information": "Information only",
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

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per form shown: a double click, a resubmit or a retry stores one request.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +15035550142
    preferred_time: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    # The language of the form the patient sent ("en" or "es"): the front desk calls back in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    # Where it hurts, in the order the patient listed the areas (none when they did not say).
    areas: Mapped[list[CallbackArea]] = relationship(
        order_by="CallbackArea.position", cascade="all, delete-orphan", lazy="selectin"
    )


class CallbackArea(Base):
    """One painful area of a callback request: a region and side, and what the patient said about it."""

    __tablename__ = "callback_areas"

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

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class StaffSession(Base):
    """One sign-in of a staff member, ended on the server by signing out, a new password, removing the account
    or `staff signout-everywhere`. The cookie carries a random token; only its SHA-256 is kept here, so a copy
    of this table opens nothing."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)


class CallLog(Base):
    """One phone call the front desk handled: where it hurt and how it ended, no names."""

    __tablename__ = "call_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_members.id", ondelete="SET NULL"))
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
