"""What a client can book: free personal-session slots per trainer, and classes with seats left."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import BookingError, NotFound
from domain.models import Appointment, AvailabilityRule, Booking, Business, Service, ServiceTrainer, Staff, WaitlistEntry
from domain.scheduling.availability import Slot, SlotRequest, WeeklyRule, free_slots, local_day_bounds
from domain.scheduling.calendar_data import MAX_BLOCK, busy_between
from domain.scheduling.classes import ACTIVE
from domain.sql.direct import fetch, fetch_one


@dataclass(frozen=True)
class TrainerSlot:
    staff_id: int
    slot: Slot


@dataclass(frozen=True)
class OpenClass:
    appointment: Appointment
    seats_left: int


# The business's booking policy and the service's shape (its columns None when the service is not the business's).
_POLICY = (
    select(Business.timezone, Business.slot_step_min, Business.min_notice_min, Business.max_horizon_days, Service.capacity,
           Service.duration_min, Service.buffer_before_min, Service.buffer_after_min)
    .outerjoin(Service, and_(Service.id == bindparam("service_id"), Service.business_id == Business.id))
    .where(Business.id == bindparam("business_id"))
)
# The weekly hours of the active trainers who offer the service (as catalog.trainers_for chooses them), by trainer.
_TRAINER_RULES = (
    select(AvailabilityRule.staff_id, AvailabilityRule.weekday, AvailabilityRule.start_local, AvailabilityRule.end_local,
           AvailabilityRule.valid_from, AvailabilityRule.valid_until)
    .join(ServiceTrainer, and_(ServiceTrainer.staff_id == AvailabilityRule.staff_id,
                               ServiceTrainer.service_id == bindparam("service_id"),
                               ServiceTrainer.business_id == bindparam("business_id")))
    .join(Staff, and_(Staff.id == AvailabilityRule.staff_id, Staff.active.is_(True)))
    .where(AvailabilityRule.business_id == bindparam("business_id"))
    .order_by(AvailabilityRule.staff_id)
)
_ONE_TRAINER_RULES = _TRAINER_RULES.where(AvailabilityRule.staff_id == bindparam("staff_id"))


async def personal_slots(session: AsyncSession, business_id: int, service_id: int, *, window_start: date, days: int,
                         now: datetime, staff_id: int | None = None) -> list[TrainerSlot]:
    """Free starts for the service in the window, for one trainer or every active trainer who offers it."""
    # Plain rows straight from the driver (domain.sql.direct), not ORM objects: this is the API's and the chat's
    # most frequent read (docs/performance.md).
    found = await fetch_one(session, _POLICY, {"business_id": business_id, "service_id": service_id})
    if found is None:
        raise NotFound(f"business {business_id} not found")
    tz, step_min, notice_min, horizon_days, capacity, duration_min, before_min, after_min = found
    if capacity is None:
        raise NotFound(f"service {service_id} not found")
    if capacity > 1:
        raise BookingError("group classes have scheduled sessions, not free slots")
    values = {"business_id": business_id, "service_id": service_id, "staff_id": staff_id}
    rules: dict[int, list[WeeklyRule]] = {}
    for trainer, *rule in await fetch(session, _TRAINER_RULES if staff_id is None else _ONE_TRAINER_RULES, values):
        rules.setdefault(trainer, []).append(WeeklyRule(*rule))
    start, _ = local_day_bounds(window_start, tz)
    _, end = local_day_bounds(window_start + timedelta(days=days - 1), tz)
    request = SlotRequest(
        tz=tz, duration=timedelta(minutes=duration_min), buffer_before=timedelta(minutes=before_min),
        buffer_after=timedelta(minutes=after_min), step=timedelta(minutes=step_min), window_start=window_start, days=days,
        now=now, min_notice=timedelta(minutes=notice_min), max_horizon=timedelta(days=horizon_days),
    )
    slots = []
    for trainer, trainer_rules in rules.items():  # a trainer with no weekly hours has no free time to look for
        # Buffers reach beyond the window's edges; no block is longer than MAX_BLOCK.
        busy = await busy_between(session, business_id, trainer, start - MAX_BLOCK, end + MAX_BLOCK)
        slots += [TrainerSlot(trainer, slot) for slot in free_slots(trainer_rules, busy, request)]
    return sorted(slots, key=lambda s: (s.slot.start, s.staff_id))


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
