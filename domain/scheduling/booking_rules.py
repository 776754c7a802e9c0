"""Whether a session may be booked at a time: notice, horizon, working hours, time off, clashes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InThePast, OutsideAvailability, SlotTaken, TooFar, TooSoon
from domain.models import Business, Service
from domain.scheduling.calendar_data import blocks_between, weekly_rules


@dataclass(frozen=True)
class Span:
    """A session and the wider range its buffers keep free."""

    starts_at: datetime
    ends_at: datetime
    blocked_from: datetime
    blocked_until: datetime

    @classmethod
    def of(cls, service: Service, starts_at: datetime) -> Span:
        ends_at = starts_at + timedelta(minutes=service.duration_min)
        return cls(starts_at, ends_at, starts_at - timedelta(minutes=service.buffer_before_min),
                   ends_at + timedelta(minutes=service.buffer_after_min))


def check_timing(business: Business, starts_at: datetime, now: datetime) -> None:
    """Refuse the past, anything inside the minimum notice, and anything beyond the horizon."""
    if starts_at <= now:
        raise InThePast("that time has already passed")
    if starts_at < now + timedelta(minutes=business.min_notice_min):
        raise TooSoon(f"bookings need {business.min_notice_min} minutes' notice")
    check_horizon(business, starts_at, now)


def check_horizon(business: Business, starts_at: datetime, now: datetime) -> None:
    """Refuse anything further ahead than the business takes bookings."""
    if starts_at > now + timedelta(days=business.max_horizon_days):
        raise TooFar(f"bookings open {business.max_horizon_days} days ahead")


async def check_free(
    session: AsyncSession, business: Business, staff_id: int, span: Span, *, ignore_appointment_id: int | None = None,
) -> None:
    """Refuse a span outside the trainer's weekly hours, in time off, or clashing with an appointment."""
    tz = ZoneInfo(business.timezone)
    local_start, local_end = span.starts_at.astimezone(tz), span.ends_at.astimezone(tz)
    rules = await weekly_rules(session, business.id, staff_id)
    day = local_start.date()
    fits = any(
        rule.weekday == day.weekday()
        and (rule.valid_from is None or rule.valid_from <= day)
        and (rule.valid_until is None or day <= rule.valid_until)
        and local_end.date() == day
        and rule.start <= local_start.time() and local_end.time() <= rule.end
        for rule in rules
    )
    if not fits:
        raise OutsideAvailability("the trainer does not work at that time")
    off, taken = await blocks_between(session, business.id, staff_id, span.blocked_from, span.blocked_until,
                                      ignore_appointment_id=ignore_appointment_id)
    if off:
        raise OutsideAvailability("the trainer is off at that time")
    if taken:
        raise SlotTaken("the trainer is already booked at that time")
