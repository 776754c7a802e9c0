"""Loading what availability needs for one trainer: weekly rules and busy intervals (a few indexed queries).

Read on every availability request and every booking, so straight on the driver (domain.sql.direct):
SQLAlchemy's result machinery was most of an availability request (docs/performance.md).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import CompoundSelect, bindparam, literal_column, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, AvailabilityRule, TimeOff
from domain.scheduling.availability import Busy, WeeklyRule
from domain.sql.direct import fetch
from domain.sql.types import BigId, UTCDateTime

# Services are capped well below this (see catalog), so an appointment's block never spans it.
MAX_BLOCK = timedelta(hours=24)

_RULES = select(
    AvailabilityRule.weekday, AvailabilityRule.start_local, AvailabilityRule.end_local,
    AvailabilityRule.valid_from, AvailabilityRule.valid_until,
).where(AvailabilityRule.business_id == bindparam("business_id"), AvailabilityRule.staff_id == bindparam("staff_id"))


async def weekly_rules(session: AsyncSession, business_id: int, staff_id: int) -> list[WeeklyRule]:
    rows = await fetch(session, _RULES, {"business_id": business_id, "staff_id": staff_id})
    return [WeeklyRule(*row) for row in rows]


async def busy_between(session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime) -> list[Busy]:
    """Everything that keeps the trainer from a new booking in [start, end), in one round trip."""
    off, taken = await blocks_between(session, business_id, staff_id, start, end)
    return off + taken


async def blocks_between(session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime, *,
                         ignore_appointment_id: int | None = None) -> tuple[list[Busy], list[Busy]]:
    """Overlapping [start, end), in one round trip: the trainer's own time off and the whole business's closures,
    and the blocked ranges (sessions widened by buffers) of the trainer's live appointments."""
    values = {"business_id": business_id, "staff_id": staff_id, "start": start, "end": end, "floor": start - MAX_BLOCK,
              "ignore": ignore_appointment_id or 0}  # ids start at 1: 0 leaves none out
    off: list[Busy] = []
    taken: list[Busy] = []
    for is_off, a, b in await fetch(session, _BLOCKS, values):
        (off if is_off else taken).append(Busy(a, b))
    return off, taken


def _blocks_statement() -> CompoundSelect:
    business_id, staff_id = bindparam("business_id"), bindparam("staff_id")
    start, end, floor = (bindparam(n, type_=UTCDateTime()) for n in ("start", "end", "floor"))
    off = select(literal_column("1"), TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.business_id == business_id,
        or_(TimeOff.staff_id == staff_id, TimeOff.staff_id.is_(None)),
        TimeOff.starts_at < end, TimeOff.ends_at > start,
    )
    taken = select(literal_column("0"), Appointment.blocked_from, Appointment.blocked_until).where(
        Appointment.staff_id == staff_id,
        Appointment.business_id == business_id,
        Appointment.status != "cancelled",
        # `floor` (start - MAX_BLOCK) keeps the (staff_id, blocked_from) index range short: no block lasts a day.
        Appointment.blocked_from > floor,
        Appointment.blocked_from < end,
        Appointment.blocked_until > start,
        Appointment.id != bindparam("ignore", type_=BigId),
    )
    return union_all(off, taken)


_BLOCKS = _blocks_statement()
