"""A trainer's weekly hours as the panel edits them (blocks per weekday) and their time off."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Appointment, AvailabilityRule, Booking, Client, Service, Staff, TimeOff
from domain.scheduling import catalog
from domain.scheduling.catalog import get_scoped
from domain.scheduling.upcoming import LIVE

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True, order=True)
class Block:
    """Working hours on `weekday` (0 = Monday) from `start` to `end`, local wall-clock time."""

    weekday: int
    start: time
    end: time


class HoursError(DomainError):
    """The blocks of one weekday do not make sense; `weekday` says which."""

    code = "bad_hours"

    def __init__(self, message: str, weekday: int) -> None:
        super().__init__(message)
        self.weekday = weekday


def check_blocks(blocks: Iterable[Block]) -> list[Block]:
    """The blocks sorted; HoursError when one ends before it starts or two of a day overlap."""
    ordered = sorted(blocks)
    for i, block in enumerate(ordered):
        if block.end <= block.start:
            raise HoursError(f"{WEEKDAYS[block.weekday]}: {block.start:%H:%M}–{block.end:%H:%M} ends before it starts",
                             block.weekday)
        previous = ordered[i - 1] if i else None
        if previous and previous.weekday == block.weekday and block.start < previous.end:
            raise HoursError(f"{WEEKDAYS[block.weekday]}: {previous.start:%H:%M}–{previous.end:%H:%M} and "
                             f"{block.start:%H:%M}–{block.end:%H:%M} overlap", block.weekday)
    return ordered


async def weekly_blocks(session: AsyncSession, business_id: int, staff_id: int) -> list[Block]:
    """The trainer's standing weekly hours (rules without a date range), sorted."""
    rows = (await session.execute(select(AvailabilityRule.weekday, AvailabilityRule.start_local, AvailabilityRule.end_local)
                                  .where(AvailabilityRule.business_id == business_id, AvailabilityRule.staff_id == staff_id,
                                         AvailabilityRule.valid_from.is_(None), AvailabilityRule.valid_until.is_(None))
                                  )).all()
    return sorted(Block(*row) for row in rows)


async def replace_weekly_hours(session: AsyncSession, business_id: int, staff_id: int, blocks: Iterable[Block]) -> None:
    """Make `blocks` the trainer's standing weekly hours; dated rules (e.g. a summer timetable) stay."""
    await get_scoped(session, Staff, business_id, staff_id)
    ordered = check_blocks(blocks)
    await session.execute(delete(AvailabilityRule).where(
        AvailabilityRule.business_id == business_id, AvailabilityRule.staff_id == staff_id,
        AvailabilityRule.valid_from.is_(None), AvailabilityRule.valid_until.is_(None)))
    for block in ordered:
        await catalog.add_weekly_hours(session, business_id, staff_id, block.weekday, block.start, block.end)


async def upcoming_time_off(session: AsyncSession, business_id: int, staff_id: int, now: datetime) -> list[TimeOff]:
    """The trainer's own time off that has not ended yet, soonest first."""
    await get_scoped(session, Staff, business_id, staff_id)
    stmt = select(TimeOff).where(TimeOff.business_id == business_id, TimeOff.staff_id == staff_id,
                                 TimeOff.ends_at > now).order_by(TimeOff.starts_at)
    return list((await session.execute(stmt)).scalars().all())


async def remove_time_off(session: AsyncSession, business_id: int, time_off_id: int) -> TimeOff:
    """Delete one period of time off (NotFound for another business's)."""
    off = await get_scoped(session, TimeOff, business_id, time_off_id)
    await session.delete(off)
    await session.flush()
    return off


async def opening_hour(session: AsyncSession, business_id: int) -> int | None:
    """The earliest hour any trainer of the business starts work on any day (None before hours are set)."""
    first = await session.scalar(select(func.min(AvailabilityRule.start_local)).where(AvailabilityRule.business_id == business_id))
    if isinstance(first, str):  # SQLite hands an aggregate of a time column back as text
        first = time.fromisoformat(first)
    return first.hour if first is not None else None


@dataclass(frozen=True)
class Hit:
    """A session a trainer's time off would fall on, with the clients booked in it."""

    appointment_id: int
    kind: str  # personal | class
    starts_at: datetime
    service: str
    bookings: tuple[tuple[int, int, str], ...]  # (booking id, client id, client's name)


async def sessions_during(session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime) -> list[Hit]:
    """The trainer's scheduled sessions overlapping [start, end), soonest first, with their live bookings."""
    rows = (await session.execute(
        select(Appointment.id, Appointment.kind, Appointment.starts_at, Service.name, Booking.id, Booking.client_id,
               func.coalesce(Client.profile_name, Client.phone_e164))
        .join(Service, Service.id == Appointment.service_id)
        .outerjoin(Booking, (Booking.appointment_id == Appointment.id) & Booking.status.in_(LIVE))
        .outerjoin(Client, Client.id == Booking.client_id)
        .where(Appointment.business_id == business_id, Appointment.staff_id == staff_id, Appointment.status == "scheduled",
               Appointment.starts_at < end, Appointment.ends_at > start)
        .order_by(Appointment.starts_at, Appointment.id, Booking.id))).all()
    hits: dict[int, Hit] = {}
    for appointment_id, kind, starts_at, service, booking_id, client_id, name in rows:
        hit = hits.get(appointment_id) or Hit(appointment_id, kind, starts_at, service, ())
        if booking_id is not None:
            hit = Hit(appointment_id, kind, starts_at, service, (*hit.bookings, (booking_id, client_id, name or f"#{client_id}")))
        hits[appointment_id] = hit
    return [h for h in hits.values() if h.bookings or h.kind == "class"]
