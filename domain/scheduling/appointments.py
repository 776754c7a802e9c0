"""Putting a block in a trainer's calendar; the database has the last word on clashes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import SlotTaken
from domain.models import Appointment, Service
from domain.scheduling.booking_rules import Span

_NO_OVERLAP = "ex_appointments_no_overlap"


async def place(session: AsyncSession, service: Service, staff_id: int, span: Span, now: datetime, *,
                capacity: int | None = None) -> Appointment:
    """Insert the appointment; a concurrent clash caught by PostgreSQL's exclusion constraint is SlotTaken."""
    appointment = Appointment(
        business_id=service.business_id, staff_id=staff_id, service_id=service.id,
        kind="class" if service.capacity > 1 else "personal", starts_at=span.starts_at, ends_at=span.ends_at,
        blocked_from=span.blocked_from, blocked_until=span.blocked_until, capacity=capacity or service.capacity,
        status="scheduled", created_at=now, updated_at=now,
    )
    session.add(appointment)
    await flush_guarded(session)
    return appointment


async def move(session: AsyncSession, appointment: Appointment, span: Span, now: datetime) -> None:
    """Move the appointment to a new span (the constraint checks the new range against the others)."""
    appointment.starts_at, appointment.ends_at = span.starts_at, span.ends_at
    appointment.blocked_from, appointment.blocked_until = span.blocked_from, span.blocked_until
    appointment.updated_at = now
    await flush_guarded(session)


async def flush_guarded(session: AsyncSession) -> None:
    """Flush in a savepoint so a clash leaves the caller's transaction usable."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if _NO_OVERLAP in str(exc.orig):
            raise SlotTaken("the trainer was just booked at that time") from None
        raise
