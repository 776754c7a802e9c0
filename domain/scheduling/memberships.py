"""Memberships: plans that cover sessions between two local dates, unlimited or up to N a week."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Appointment, Booking, Business, Client, Membership
from domain.scheduling.catalog import get_scoped


async def add_membership(session: AsyncSession, business_id: int, client_id: int, plan_name: str, starts_on: date,
                         ends_on: date, now: datetime, sessions_per_week: int | None = None) -> Membership:
    """Give the client a plan from `starts_on` to `ends_on` (both included); None per week = unlimited."""
    if ends_on < starts_on:
        raise ValueError("a membership cannot end before it starts")
    if sessions_per_week is not None and sessions_per_week < 1:
        raise ValueError("sessions_per_week is at least 1 (or None for unlimited)")
    await get_scoped(session, Client, business_id, client_id)
    plan = Membership(business_id=business_id, client_id=client_id, plan_name=plan_name, starts_on=starts_on,
                      ends_on=ends_on, sessions_per_week=sessions_per_week, status="active", created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def covering_membership(session: AsyncSession, business_id: int, client_id: int, on: date,
                              now: datetime | None = None) -> Membership | None:
    """The plan covering the local date `on`, the most generous first: an active one, or one whose payment
    failed less than the business's grace days before `now`; None if there is none."""
    business = await get_scoped(session, Business, business_id, business_id)
    await get_scoped(session, Client, business.id, client_id)
    stmt = (select(Membership)
            .where(Membership.business_id == business.id, Membership.client_id == client_id,
                   Membership.status.in_(("active", "past_due")), Membership.starts_on <= on, Membership.ends_on >= on)
            # Unlimited plans first, then the largest weekly allowance, then the newest plan.
            .order_by(Membership.sessions_per_week.is_not(None), Membership.sessions_per_week.desc(),
                      Membership.id.desc()))
    grace = timedelta(days=business.past_due_grace_days)
    for plan in (await session.execute(stmt)).scalars():
        if plan.status == "active" or (now is not None and plan.past_due_since is not None and now < plan.past_due_since + grace):
            return plan
    return None


async def current_membership(session: AsyncSession, business_id: int, client_id: int, on: date) -> Membership | None:
    """The plan the client holds on `on`, active or with a payment overdue; None if there is none."""
    await get_scoped(session, Client, business_id, client_id)
    stmt = (select(Membership)
            .where(Membership.business_id == business_id, Membership.client_id == client_id,
                   Membership.status.in_(("active", "past_due")), Membership.starts_on <= on, Membership.ends_on >= on)
            .order_by(Membership.ends_on.desc(), Membership.id.desc())
            .limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()


async def cancel_membership(session: AsyncSession, business_id: int, membership_id: int) -> Membership:
    """Cancel a plan: it covers no booking from now on (bookings it already paid for stay). Idempotent."""
    plan = await session.get(Membership, membership_id)
    if plan is None or plan.business_id != business_id:
        raise NotFound(f"membership {membership_id} not found")
    plan.status = "cancelled"
    await session.flush()
    return plan


async def sessions_used_in_week(session: AsyncSession, business_id: int, client_id: int, week_start: date,
                                tz: str) -> int:
    """Non-cancelled bookings paid by membership whose session starts in the local week from `week_start`."""
    await get_scoped(session, Client, business_id, client_id)
    zone = ZoneInfo(tz)
    # Local midnights to UTC separately: a DST change inside the week makes it 167 or 169 hours long.
    start = datetime.combine(week_start, time(), zone).astimezone(UTC)
    end = datetime.combine(week_start + timedelta(days=7), time(), zone).astimezone(UTC)
    stmt = (select(func.count(Booking.id))
            .join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.business_id == business_id, Booking.client_id == client_id,
                   Booking.paid_with == "membership", Booking.status != "cancelled",
                   Appointment.starts_at >= start, Appointment.starts_at < end))
    return (await session.execute(stmt)).scalar_one()
