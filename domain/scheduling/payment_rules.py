"""How a booking is paid for: nothing, a membership that covers its day, or one credit."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Booking, Business, Service
from domain.scheduling import credits, memberships


async def settle(session: AsyncSession, business: Business, service: Service, booking: Booking, starts_at: datetime,
                 now: datetime) -> None:
    """Set `booking.paid_with`, spending a credit when the policy needs one (NoCredits if none left)."""
    if not business.booking_requires_credit or service.credits_required == 0:
        booking.paid_with = "none"
        return
    day = starts_at.astimezone(ZoneInfo(business.timezone)).date()
    plan = await memberships.covering_membership(session, business.id, booking.client_id, day)
    if plan is not None:
        week_start = day - timedelta(days=day.weekday())
        used = await memberships.sessions_used_in_week(session, business.id, booking.client_id, week_start, business.timezone)
        if plan.sessions_per_week is None or used < plan.sessions_per_week:
            booking.paid_with = "membership"
            return
    await credits.spend_one(session, business.id, booking.client_id, booking.id, now)
    booking.paid_with = "credit"


async def give_back(session: AsyncSession, business_id: int, booking: Booking, now: datetime) -> bool:
    """Refund the credit a booking spent (a timely cancel); True if one was refunded."""
    if booking.paid_with != "credit":
        return False
    return await credits.refund_for_booking(session, business_id, booking.id, now) is not None
