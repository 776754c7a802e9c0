"""How a booking is paid for: nothing, a membership that covers its day, or one credit."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NoCredits
from domain.models import Booking, Business, Service
from domain.scheduling import credits, memberships


async def how_paid(session: AsyncSession, business: Business, service: Service, client_id: int, starts_at: datetime,
                   now: datetime) -> str:
    """How a booking would be paid: none, membership or credit; NoCredits when the policy needs one and none
    is left. Asked before anything is written, so a refused booking leaves nothing behind; a credit's
    balance row stays locked until the booking commits, so no concurrent spend takes it meanwhile."""
    if not business.booking_requires_credit or service.credits_required == 0:
        return "none"
    day = starts_at.astimezone(ZoneInfo(business.timezone)).date()
    plan = await memberships.covering_membership(session, business.id, client_id, day, now)
    if plan is not None:
        week_start = day - timedelta(days=day.weekday())
        used = await memberships.sessions_used_in_week(session, business.id, client_id, week_start, business.timezone)
        if plan.sessions_per_week is None or used < plan.sessions_per_week:
            return "membership"
    if not await credits.can_spend(session, business.id, client_id, now):
        raise NoCredits("no credits left")
    return "credit"


async def settle(session: AsyncSession, business: Business, booking: Booking, paid_with: str, now: datetime) -> None:
    """Pay for the booking as `how_paid` decided: spend the credit, or note the membership (or nothing)."""
    if paid_with == "credit":
        await credits.spend_one(session, business.id, booking.client_id, booking.id, now)
    booking.paid_with = paid_with


async def give_back(session: AsyncSession, business_id: int, booking: Booking, now: datetime) -> bool:
    """Refund the credit a booking spent (a timely cancel); True if one was refunded."""
    if booking.paid_with != "credit":
        return False
    return await credits.refund_for_booking(session, business_id, booking.id, now) is not None
