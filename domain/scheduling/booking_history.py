"""Booking status changes: the allowed life cycle, and a history row for every change."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidTransition
from domain.models import Booking, BookingEvent

ACTIVE = ("booked", "confirmed", "checked_in", "completed")
ALLOWED = {
    "held": {"booked", "cancelled"},  # paid for in time, or let go
    "booked": {"confirmed", "checked_in", "completed", "cancelled", "no_show"},
    "confirmed": {"checked_in", "completed", "cancelled", "no_show"},
    "checked_in": {"completed"},
    "completed": set(),
    "cancelled": set(),
    "no_show": set(),
}


def record_creation(session: AsyncSession, booking: Booking, actor: str, now: datetime, detail: dict[str, Any] | None = None) -> None:
    session.add(BookingEvent(business_id=booking.business_id, booking_id=booking.id, from_status=None,
                             to_status=booking.status, actor=actor, detail=detail, at=now))


def note(session: AsyncSession, booking: Booking, actor: str, now: datetime, detail: dict[str, Any]) -> None:
    """Keep a change that leaves the status as it is (a reschedule) in the history."""
    session.add(BookingEvent(business_id=booking.business_id, booking_id=booking.id, from_status=booking.status,
                             to_status=booking.status, actor=actor, detail=detail, at=now))
    booking.updated_at = now


def move(session: AsyncSession, booking: Booking, to_status: str, actor: str, now: datetime,
         detail: dict[str, Any] | None = None) -> None:
    """Change the booking's status if its life cycle allows it, and keep the change in its history."""
    if to_status not in ALLOWED[booking.status]:
        raise InvalidTransition(booking.status, to_status)
    session.add(BookingEvent(business_id=booking.business_id, booking_id=booking.id, from_status=booking.status,
                             to_status=to_status, actor=actor, detail=detail, at=now))
    booking.status, booking.updated_at = to_status, now
