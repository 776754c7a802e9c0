"""The dashboard's figures: this week's counts and twelve weeks of bookings, check-ins and no-shows.

Weeks are Monday to Sunday in the business's time zone. Each figure is one grouped query
(weeks are bucketed in SQL against precomputed UTC edges), so the page costs a handful of
round trips whatever the size of the business. A trainer's figures cover their own sessions
and their own clients; an owner's cover the business.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.business_week import bucket, local_today, monday_of, week_edges
from admin.read_models.calendar_week import Entry, entries_between
from admin.read_models.client_directory import trainer_client_ids
from conversations.template_catalogue import NeededTemplate, needed_templates
from domain.messaging.message_templates import templates_of
from domain.models import Appointment, Booking, Business, CheckIn, Client, CreditEntry, InboundMessage, OutboundMessage
from domain.scheduling.availability import local_day_bounds

CREDIT_SALES = ("purchase", "grant")  # ledger kinds that put new credits in a client's hands


@dataclass(frozen=True)
class Week:
    monday: date
    bookings: int = 0  # sessions booked in the week (cancelled ones left out)
    check_ins: int = 0
    cancellations: int = 0
    no_shows: int = 0

    @property
    def no_show_rate(self) -> float:
        """The share of the week's bookings that were no-shows (0 when there were none)."""
        return self.no_shows / self.bookings if self.bookings else 0.0


@dataclass(frozen=True)
class Dashboard:
    today: date
    sessions_today: list[Entry]
    weeks: list[Week]  # oldest first; the last one is this week
    new_clients: int
    credits_sold: int
    messages_in: int
    messages_out: int

    @property
    def this_week(self) -> Week:
        return self.weeks[-1]


async def dashboard(session: AsyncSession, business_id: int, tz: str, now: datetime, *,
                    staff_id: int | None = None, weeks: int = 12) -> Dashboard:
    """Every figure of the dashboard, for the business or (with `staff_id`) one trainer."""
    today = local_today(now, tz)
    first = monday_of(today) - timedelta(weeks=weeks - 1)
    edges = week_edges(first, tz, weeks)
    booked = await _bookings_by_week(session, business_id, edges, staff_id)
    visits = await _check_ins_by_week(session, business_id, edges, staff_id)
    series = [Week(first + timedelta(weeks=i), bookings=sum(n for s, n in booked.get(i, {}).items() if s != "cancelled"),
                   check_ins=visits.get(i, 0), cancellations=booked.get(i, {}).get("cancelled", 0),
                   no_shows=booked.get(i, {}).get("no_show", 0)) for i in range(weeks)]
    new_clients, credits_sold, messages_in, messages_out = await _week_totals(session, business_id, edges[-2], edges[-1], staff_id)
    day_start, day_end = local_day_bounds(today, tz)
    sessions_today = await entries_between(session, business_id, day_start, day_end, staff_id=staff_id)
    return Dashboard(today, sessions_today, series, new_clients, credits_sold, messages_in, messages_out)


async def _bookings_by_week(session: AsyncSession, business_id: int, edges: list[datetime],
                            staff_id: int | None) -> dict[int, dict[str, int]]:
    inner = (select(bucket(Appointment.starts_at, edges).label("week"), Booking.status.label("status"))
             .join(Appointment, Appointment.id == Booking.appointment_id)
             # Scoped through the appointment: a second filter on bookings.business_id misleads the planner.
             .where(Appointment.business_id == business_id, Appointment.starts_at >= edges[0],
                    Appointment.starts_at < edges[-1]))
    if staff_id is not None:
        inner = inner.where(Appointment.staff_id == staff_id)
    sub = inner.subquery()
    found: dict[int, dict[str, int]] = {}
    for week, status, n in (await session.execute(select(sub.c.week, sub.c.status, func.count())
                                                  .group_by(sub.c.week, sub.c.status))).all():
        found.setdefault(int(week), {})[status] = int(n)
    return found


async def _check_ins_by_week(session: AsyncSession, business_id: int, edges: list[datetime],
                             staff_id: int | None) -> dict[int, int]:
    inner = (select(bucket(CheckIn.checked_in_at, edges).label("week"))
             .where(CheckIn.business_id == business_id, CheckIn.checked_in_at >= edges[0],
                    CheckIn.checked_in_at < edges[-1]))
    if staff_id is not None:  # a trainer counts arrivals for their sessions (walk-ins are the business's)
        inner = (inner.join(Booking, Booking.id == CheckIn.booking_id)
                 .join(Appointment, Appointment.id == Booking.appointment_id)
                 .where(Appointment.staff_id == staff_id))
    sub = inner.subquery()
    rows = (await session.execute(select(sub.c.week, func.count()).group_by(sub.c.week))).all()
    return {int(week): int(n) for week, n in rows}


async def _week_totals(session: AsyncSession, business_id: int, start: datetime, end: datetime,
                       staff_id: int | None) -> tuple[int, int, int, int]:
    """New clients, credits sold, messages in and out between start and end, in one round trip."""
    def scoped(stmt: Any, client_column: Any) -> Any:
        return stmt if staff_id is None else stmt.where(client_column.in_(trainer_client_ids(staff_id)))

    new_clients = scoped(select(func.count()).where(
        Client.business_id == business_id, Client.created_at >= start, Client.created_at < end), Client.id)
    credits = scoped(select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(
        CreditEntry.business_id == business_id, CreditEntry.kind.in_(CREDIT_SALES),
        CreditEntry.created_at >= start, CreditEntry.created_at < end), CreditEntry.client_id)
    received = scoped(select(func.count()).where(
        InboundMessage.business_id == business_id, InboundMessage.received_at >= start,
        InboundMessage.received_at < end), InboundMessage.client_id)
    sent = scoped(select(func.count()).where(  # read receipts are not messages a person sees
        OutboundMessage.business_id == business_id, OutboundMessage.kind != "read",
        OutboundMessage.created_at >= start, OutboundMessage.created_at < end), OutboundMessage.client_id)
    row = (await session.execute(select(*(q.scalar_subquery() for q in (new_clients, credits, received, sent))))).one()
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])


def template_language(business: Business) -> str:
    """Meta's code of the business's language ("pt_BR"), the one most of its clients read."""
    return business.locale.replace("-", "_")


async def missing_templates(session: AsyncSession, business: Business) -> list[NeededTemplate]:
    """The templates FitZap sends that the business uses in no active template of its language: those automatic
    messages cannot reach anyone who has not written in the last 24 hours."""
    listed = {(t.name, t.language) for t in await templates_of(session, business.id) if t.active}
    language = template_language(business)
    return [t for t in needed_templates(business.reminder_template) if (t.name, language) not in listed]
