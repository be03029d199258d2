"""What the database keeps: callback requests, and nothing a callback does not need."""

from __future__ import annotations

import datetime

from sqlalchemy import DateTime, MetaData, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PREFERRED_TIMES = {
    "morning": "Morning",
    "afternoon": "Afternoon",
    "evening": "Evening",
    "any": "Any time",
}
STATUSES = ("new", "contacted", "booked", "closed")


def utcnow() -> datetime.datetime:
    """Now, in UTC without a zone: every time in the database is UTC."""
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s", "ix": "ix_%(column_0_label)s"})


class CallbackRequest(Base):
    __tablename__ = "callback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One per form shown: a double click, a resubmit or a retry stores one request.
    submission_key: Mapped[str] = mapped_column(String(36), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(20))  # E.164, e.g. +15032086278
    preferred_time: Mapped[str] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(40))
    side: Mapped[str | None] = mapped_column(String(8))
    pain: Mapped[int | None] = mapped_column(SmallInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
