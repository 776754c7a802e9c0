"""Due work kept in PostgreSQL: reminders, follow-ups, no-show checks, digests; and session feedback."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime

PENDING = "status = 'pending'"


class ScheduledMessage(Base):
    """One piece of automated work due at `due_at`: the database, not the broker, remembers it.

    `subject_id` is a booking (reminder, followup, no_show), a staff member (digest) or a waitlist
    entry (waitlist_offer: an offer made in quiet hours). The unique key makes a second row for the
    same subject, kind, offset and target time impossible, so two schedulers can plan the same work
    and only one row exists. A reschedule changes `target_at` (the appointment's start), which is a
    new key: the old rows are cancelled, new ones made.
    """

    __tablename__ = "scheduled_messages"
    __table_args__ = (
        UniqueConstraint("subject_id", "kind", "offset_min", "target_at", name="uq_scheduled_messages_work"),
        Index("ix_scheduled_messages_due", "due_at", postgresql_where=text(PENDING), sqlite_where=text(PENDING)),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    # reminder | followup | no_show | digest | waitlist_offer | dunning | weekly_summary | campaign
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigId)
    offset_min: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    target_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the appointment start (digest: its own time)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # moved later by quiet hours
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | skipped | cancelled
    outcome: Mapped[str | None] = mapped_column(String(64))  # why it was skipped, or what was sent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SessionFeedback(Base):
    """The client's 1–5 answer to "how was the session?", one per booking."""

    __tablename__ = "session_feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), unique=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
