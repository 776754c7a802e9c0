"""What a client can book: free personal-session slots per trainer, and classes with seats left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import BookingError
from domain.models import Appointment, Booking, Business, Service, WaitlistEntry
from domain.scheduling.availability import Slot, SlotRequest, free_slots, local_day_bounds
from domain.scheduling.calendar_data import MAX_BLOCK, busy_between, weekly_rules
from domain.scheduling.catalog import get_scoped, trainers_for
from domain.scheduling.classes import ACTIVE


@dataclass(frozen=True)
class TrainerSlot:
    staff_id: int
    slot: Slot


@dataclass(frozen=True)
class OpenClass:
    appointment: Appointment
    seats_left: int


async def personal_slots(session: AsyncSession, business_id: int, service_id: int, *, window_start: date, days: int,
                         now: datetime, staff_id: int | None = None) -> list[TrainerSlot]:
    """Free starts for the service in the window, for one trainer or every trainer who offers it."""
    business = await get_scoped(session, Business, business_id, business_id)
    service = await get_scoped(session, Service, business_id, service_id)
    if service.capacity > 1:
        raise BookingError("group classes have scheduled sessions, not free slots")
    trainers = [t.id for t in await trainers_for(session, business_id, service_id)]
    if staff_id is not None:
        trainers = [t for t in trainers if t == staff_id]
    start, _ = local_day_bounds(window_start, business.timezone)
    _, end = local_day_bounds(window_start + timedelta(days=days - 1), business.timezone)
    request = SlotRequest(
        tz=business.timezone, duration=timedelta(minutes=service.duration_min),
        buffer_before=timedelta(minutes=service.buffer_before_min), buffer_after=timedelta(minutes=service.buffer_after_min),
        step=timedelta(minutes=business.slot_step_min), window_start=window_start, days=days, now=now,
        min_notice=timedelta(minutes=business.min_notice_min), max_horizon=timedelta(days=business.max_horizon_days),
    )
    found = []
    for trainer in trainers:
        rules = await weekly_rules(session, business_id, trainer)
        # Buffers reach beyond the window's edges; no block is longer than MAX_BLOCK.
        busy = await busy_between(session, business_id, trainer, start - MAX_BLOCK, end + MAX_BLOCK)
        found += [TrainerSlot(trainer, slot) for slot in free_slots(rules, busy, request)]
    return sorted(found, key=lambda s: (s.slot.start, s.staff_id))


async def open_classes(session: AsyncSession, business_id: int, service_id: int, *, start: datetime, end: datetime,
                       now: datetime) -> list[OpenClass]:
    """Scheduled class sessions of the service between start and end, with the seats still free."""
    booked = (select(Booking.appointment_id, func.count().label("n")).where(Booking.status.in_(ACTIVE))
              .group_by(Booking.appointment_id).subquery())
    held = (select(WaitlistEntry.appointment_id, func.count().label("n"))
            .where(WaitlistEntry.status == "offered", WaitlistEntry.offer_expires_at > now)
            .group_by(WaitlistEntry.appointment_id).subquery())
    stmt = (
        select(Appointment, func.coalesce(booked.c.n, 0) + func.coalesce(held.c.n, 0))
        .outerjoin(booked, booked.c.appointment_id == Appointment.id)
        .outerjoin(held, held.c.appointment_id == Appointment.id)
        .where(Appointment.business_id == business_id, Appointment.service_id == service_id,
               Appointment.kind == "class", Appointment.status == "scheduled",
               Appointment.starts_at >= max(start, now), Appointment.starts_at < end)
        .order_by(Appointment.starts_at)
    )
    return [OpenClass(a, max(0, a.capacity - int(taken))) for a, taken in (await session.execute(stmt)).all()]
