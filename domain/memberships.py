"""Memberships: unlimited sessions (or up to a weekly number) between two local dates."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import get_scoped
from domain.errors import NotFound
from domain.models import Appointment, Booking, Client, Membership


async def add_membership(session: AsyncSession, business_id: int, client_id: int, plan_name: str, starts_on: date,
                         ends_on: date, now: datetime, *, sessions_per_week: int | None = None) -> Membership:
    await get_scoped(session, Client, business_id, client_id)
    if ends_on < starts_on or (sessions_per_week is not None and sessions_per_week < 1):
        raise ValueError("a membership ends on or after it starts and allows at least one session a week")
    plan = Membership(business_id=business_id, client_id=client_id, plan_name=plan_name, starts_on=starts_on,
                      ends_on=ends_on, sessions_per_week=sessions_per_week, status="active", created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def covering_membership(session: AsyncSession, business_id: int, client_id: int, on: date) -> Membership | None:
    """The client's active membership that includes the local date `on`, if any."""
    stmt = (select(Membership).where(Membership.business_id == business_id, Membership.client_id == client_id,
                                     Membership.status == "active", Membership.starts_on <= on, Membership.ends_on >= on)
            .order_by(Membership.sessions_per_week.is_(None).desc(), Membership.id).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def cancel_membership(session: AsyncSession, business_id: int, membership_id: int) -> Membership:
    plan = await session.get(Membership, membership_id)
    if plan is None or plan.business_id != business_id:
        raise NotFound(f"membership {membership_id} not found")
    plan.status = "cancelled"
    return plan


async def sessions_used_in_week(session: AsyncSession, business_id: int, client_id: int, week_start: date, tz: str) -> int:
    """Live bookings paid by membership in the local week that starts on `week_start`."""
    zone = ZoneInfo(tz)
    start = datetime.combine(week_start, time(0), zone).astimezone(timezone.utc)
    end = datetime.combine(week_start + timedelta(days=7), time(0), zone).astimezone(timezone.utc)
    stmt = (select(func.count()).select_from(Booking).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.business_id == business_id, Booking.client_id == client_id, Booking.paid_with == "membership",
                   Booking.status.notin_(("cancelled",)), Appointment.starts_at >= start, Appointment.starts_at < end))
    return int((await session.execute(stmt)).scalar_one())
