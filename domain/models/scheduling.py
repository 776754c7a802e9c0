"""The calendar: trainer appointments, client bookings in them, waitlists, series and check-ins."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Time, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime

ACTIVE_BOOKING = "status IN ('booked', 'confirmed', 'checked_in', 'completed')"
OPEN_WAITLIST = "status IN ('waiting', 'offered')"


class Appointment(Base):
    """A block of a trainer's time: a personal session (capacity 1) or a group class (capacity N).

    On PostgreSQL an exclusion constraint (migration 0002) forbids two non-cancelled appointments
    of one trainer whose blocked ranges (the session widened by its buffers) overlap.
    """

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("blocked_from <= starts_at AND blocked_until >= ends_at", name="block_covers_session"),
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        Index("ix_appointments_staff_blocked", "staff_id", "blocked_from"),
        Index("ix_appointments_business_starts", "business_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # personal | class
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_from: Mapped[datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # scheduled | cancelled
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Booking(Base):
    """A client's seat in an appointment, with its life cycle (booked → … → completed)."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("uq_bookings_one_seat_per_client", "appointment_id", "client_id", unique=True,
              postgresql_where=text(ACTIVE_BOOKING), sqlite_where=text(ACTIVE_BOOKING)),
        Index("ix_bookings_client_status", "client_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("booking_series.id", ondelete="SET NULL"), index=True)
    # held (for a payment, until held_until) | booked | confirmed | checked_in | completed | cancelled | no_show
    status: Mapped[str] = mapped_column(String(16), default="booked")
    held_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_with: Mapped[str] = mapped_column(String(16), default="none")  # credit | membership | none
    cancelled_by: Mapped[str | None] = mapped_column(String(16))  # client | trainer | system
    cancel_reason: Mapped[str | None] = mapped_column(String(200))
    late_cancel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BookingEvent(Base):
    """History: every change of a booking's status, who made it and why."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(16))  # client | trainer | system | api (the REST API)
    detail: Mapped[dict[str, Any] | None] = mapped_column(Json)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class WaitlistEntry(Base):
    """A client waiting for a seat in a full class; an offer holds a freed seat until it expires."""

    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index("uq_waitlist_one_entry_per_client", "appointment_id", "client_id", unique=True,
              postgresql_where=text(OPEN_WAITLIST), sqlite_where=text(OPEN_WAITLIST)),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="waiting")  # waiting | offered | accepted | expired | cancelled
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BookingSeries(Base):
    """'Every Monday and Wednesday at 07:00 for 8 weeks': the recurring request behind bookings."""

    __tablename__ = "booking_series"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    weekdays: Mapped[list[int]] = mapped_column(Json)
    local_time: Mapped[time] = mapped_column(Time)
    starts_on: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | cancelled
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CheckIn(Base):
    """A client arrived: against a booking, or as a walk-in."""

    __tablename__ = "check_ins"
    __table_args__ = (
        Index("uq_check_ins_booking", "booking_id", unique=True,
              postgresql_where=text("booking_id IS NOT NULL"), sqlite_where=text("booking_id IS NOT NULL")),
        Index("ix_check_ins_client_at", "client_id", "checked_in_at"),
        # An imported visit is stored once however often its file is imported again.
        Index("uq_check_ins_imported", "client_id", "checked_in_at", unique=True,
              postgresql_where=text("method = 'import'"), sqlite_where=text("method = 'import'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    method: Mapped[str] = mapped_column(String(8))  # chat | qr | staff | import
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    duration_min: Mapped[int | None] = mapped_column(Integer)  # imported visits say how long they stayed
