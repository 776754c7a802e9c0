"""Recurring bookings: 'every Monday and Wednesday at 07:00 for 8 weeks'."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import BookingError, DomainError, NotFound
from domain.models import Appointment, Booking, BookingSeries, Business, Client
from domain.scheduling import booking
from domain.scheduling.catalog import get_scoped


@dataclass
class SeriesResult:
    series: BookingSeries
    booked: list[Booking] = field(default_factory=list)
    conflicts: list[tuple[datetime, str]] = field(default_factory=list)  # (start, error code) not booked


def occurrences(weekdays: Sequence[int], at: time, starts_on: date, weeks: int, tz: str) -> list[datetime]:
    """The UTC starts of every occurrence, each at the same local wall-clock time (DST-proof)."""
    zone = ZoneInfo(tz)
    days = (starts_on + timedelta(days=i) for i in range(weeks * 7))
    return [datetime.combine(day, at, zone).astimezone(ZoneInfo("UTC")) for day in days if day.weekday() in set(weekdays)]


async def book_series(
    session: AsyncSession, business_id: int, *, client_id: int, service_id: int, staff_id: int,
    weekdays: Sequence[int], at: time, starts_on: date, weeks: int, now: datetime, actor: str = "client",
) -> SeriesResult:
    """Book every occurrence that passes the rules; report the others instead of failing the lot."""
    if not weekdays or not set(weekdays) <= set(range(7)) or not 1 <= weeks <= 52:
        raise BookingError("choose weekdays 0..6 and 1..52 weeks")
    business = await get_scoped(session, Business, business_id, business_id)
    await get_scoped(session, Client, business_id, client_id)
    series = BookingSeries(business_id=business_id, client_id=client_id, service_id=service_id, staff_id=staff_id,
                           weekdays=sorted(set(weekdays)), local_time=at, starts_on=starts_on, weeks=weeks,
                           status="active", created_at=now)
    session.add(series)
    await session.flush()
    result = SeriesResult(series)
    for starts_at in occurrences(weekdays, at, starts_on, weeks, business.timezone):
        try:
            async with session.begin_nested():  # one occurrence failing leaves the others booked
                result.booked.append(await booking.book_personal(
                    session, business_id, client_id=client_id, service_id=service_id, staff_id=staff_id,
                    starts_at=starts_at, now=now, actor=actor, series_id=series.id))
        except DomainError as error:
            result.conflicts.append((starts_at, error.code))
    return result


async def cancel_series(session: AsyncSession, business_id: int, series_id: int, now: datetime, *,
                        by: str = "client") -> list[booking.Cancellation]:
    """Cancel every future occurrence of the series (past ones stay in the history)."""
    series = await session.get(BookingSeries, series_id, with_for_update=True)
    if series is None or series.business_id != business_id:
        raise NotFound(f"series {series_id} not found")
    series.status = "cancelled"
    stmt = (select(Booking.id).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.series_id == series_id, Booking.status.in_(("booked", "confirmed")), Appointment.starts_at > now)
            .order_by(Appointment.starts_at))
    return [await booking.cancel(session, business_id, booking_id, now, by=by, reason="series cancelled")
            for booking_id in (await session.execute(stmt)).scalars().all()]
