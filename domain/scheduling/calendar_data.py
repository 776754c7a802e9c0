"""Loading what availability needs for one trainer: weekly rules and busy intervals (a few indexed queries)."""
from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, AvailabilityRule, TimeOff
from domain.scheduling.availability import Busy, WeeklyRule
from domain.sql.types import UTCDateTime

# Services are capped well below this (see catalog), so an appointment's block never spans it.
MAX_BLOCK = timedelta(hours=24)


async def weekly_rules(session: AsyncSession, business_id: int, staff_id: int) -> list[WeeklyRule]:
    stmt = select(
        AvailabilityRule.weekday, AvailabilityRule.start_local, AvailabilityRule.end_local,
        AvailabilityRule.valid_from, AvailabilityRule.valid_until,
    ).where(AvailabilityRule.business_id == business_id, AvailabilityRule.staff_id == staff_id)
    return [WeeklyRule(*row) for row in (await session.execute(stmt)).all()]


async def time_off_between(session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime) -> list[Busy]:
    """The trainer's own time off and the whole business's closures overlapping [start, end)."""
    stmt = _time_off_query(business_id, staff_id, start, end)
    return [Busy(a, b) for a, b in (await session.execute(stmt)).all()]


async def appointments_between(
    session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime,
    *, ignore_appointment_id: int | None = None,
) -> list[Busy]:
    """Blocked ranges (sessions widened by buffers) of the trainer's live appointments overlapping [start, end)."""
    stmt = _appointments_query(business_id, staff_id, start, end, start - MAX_BLOCK)
    if ignore_appointment_id is not None:
        stmt = stmt.where(Appointment.id != ignore_appointment_id)
    return [Busy(a, b) for a, b in (await session.execute(stmt)).all()]


def _time_off_query(business_id: Any, staff_id: Any, start: Any, end: Any) -> Select[tuple[datetime, datetime]]:
    return select(TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.business_id == business_id,
        or_(TimeOff.staff_id == staff_id, TimeOff.staff_id.is_(None)),
        TimeOff.starts_at < end, TimeOff.ends_at > start,
    )


def _appointments_query(business_id: Any, staff_id: Any, start: Any, end: Any, floor: Any) -> Select[tuple[datetime, datetime]]:
    return select(Appointment.blocked_from, Appointment.blocked_until).where(
        Appointment.staff_id == staff_id,
        Appointment.business_id == business_id,
        Appointment.status != "cancelled",
        # `floor` (start - MAX_BLOCK) keeps the (staff_id, blocked_from) index range short: no block lasts a day.
        Appointment.blocked_from > floor,
        Appointment.blocked_from < end,
        Appointment.blocked_until > start,
    )


async def busy_between(session: AsyncSession, business_id: int, staff_id: int, start: datetime, end: datetime) -> list[Busy]:
    """Everything that keeps the trainer from a new booking in [start, end), in one round trip."""
    values = {"business_id": business_id, "staff_id": staff_id, "start": start, "end": end, "floor": start - MAX_BLOCK}
    conn = await session.connection()
    if conn.dialect.name != "postgresql":
        return [Busy(a, b) for a, b in (await conn.execute(_BUSY, values)).all()]
    # On PostgreSQL the statement, compiled once, runs on the asyncpg connection itself: SQLAlchemy's
    # result machinery was most of an availability request (docs/performance.md).
    sql, names, fixed = _compiled_busy(conn.dialect)
    raw = await conn.get_raw_connection()
    rows = await raw.driver_connection.fetch(sql, *(values.get(n, fixed.get(n)) for n in names))  # type: ignore[union-attr]
    return [Busy(a, b) for a, b in rows]


def _busy_statement() -> Any:
    ids = bindparam("business_id"), bindparam("staff_id")
    start, end, floor = (bindparam(n, type_=UTCDateTime()) for n in ("start", "end", "floor"))
    return union_all(_time_off_query(*ids, start, end), _appointments_query(*ids, start, end, floor))


_BUSY = _busy_statement()


@lru_cache(maxsize=4)
def _compiled_busy(dialect: Any) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text, parameter order, and the literal values the statement carries itself ('cancelled')."""
    compiled = _BUSY.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)
