"""Planning due work for bookings: rows made and cancelled in the booking's own transaction.

Reminders (one per business offset), the after-session follow-up and the no-show check are
rows in `scheduled_messages`, keyed by (booking, kind, offset, appointment start). Booking,
rescheduling and cancelling call in here, so the rows always match the calendar; `reconcile`
plans bookings that arrived some other way (imports, the benchmark) with the same rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, Business, ScheduledMessage, WaitlistEntry
from domain.scheduling.schedule_times import MAX_OFFSET_MIN, before_in_local_terms, reminder_offsets
from domain.sql.upsert import insert_for

BOOKING_KINDS = ("reminder", "followup", "no_show")
PLANNABLE = ("booked", "confirmed")


def rows_for(business: Business, booking_id: int, booked_at: datetime, start: datetime, end: datetime,
             now: datetime) -> list[dict[str, Any]]:
    """The due rows a booking needs. A reminder whose time came before the booking was made is left
    out: a session booked 3 hours ahead gets only the 2-hour reminder."""
    common = {"business_id": business.id, "subject_id": booking_id, "target_at": start, "status": "pending",
              "created_at": now, "updated_at": now}
    rows = [{**common, "kind": "reminder", "offset_min": offset, "due_at": due}
            for offset in reminder_offsets(business)
            if booked_at <= (due := before_in_local_terms(start, offset, business.timezone)) < start]
    rows.append({**common, "kind": "no_show", "offset_min": 0,
                 "due_at": end + timedelta(minutes=business.no_show_after_min)})
    if business.followup_enabled:
        rows.append({**common, "kind": "followup", "offset_min": 0,
                     "due_at": end + timedelta(minutes=business.followup_after_min)})
    return rows


async def insert_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Insert due rows; one that already exists (planned by someone else) is left as it is."""
    if rows:
        stmt = insert_for(session, ScheduledMessage.__table__).on_conflict_do_nothing(
            index_elements=["subject_id", "kind", "offset_min", "target_at"])
        await session.execute(stmt, list(rows))


async def plan_booking(session: AsyncSession, business: Business, booking: Booking, appointment: Appointment,
                       now: datetime) -> None:
    """Plan a new (or just moved) booking's reminders, follow-up and no-show check."""
    rows = rows_for(business, booking.id, booking.created_at, appointment.starts_at, appointment.ends_at, now)
    await insert_rows(session, rows)


async def plan_waitlist_offer(session: AsyncSession, entry: WaitlistEntry, due_at: datetime, now: datetime) -> None:
    """An offer made in quiet hours is told to the client when they end (`due_at`)."""
    assert entry.offer_expires_at is not None
    await insert_rows(session, [{"business_id": entry.business_id, "kind": "waitlist_offer", "subject_id": entry.id,
                                 "offset_min": 0, "target_at": entry.offer_expires_at, "due_at": due_at,
                                 "status": "pending", "created_at": now, "updated_at": now}])


async def cancel_booking_work(session: AsyncSession, booking_id: int, now: datetime, *,
                              keep_target: datetime | None = None) -> None:
    """Cancel the booking's pending rows (those for `keep_target`, the current start, stay)."""
    stmt = update(ScheduledMessage).where(ScheduledMessage.subject_id == booking_id,
                                          ScheduledMessage.kind.in_(BOOKING_KINDS), ScheduledMessage.status == "pending")
    if keep_target is not None:
        stmt = stmt.where(ScheduledMessage.target_at != keep_target)
    await session.execute(stmt.values(status="cancelled", outcome="booking changed", updated_at=now)
                          .execution_options(synchronize_session=False))


async def replan_booking(session: AsyncSession, business: Business, booking: Booking, appointment: Appointment,
                         now: datetime) -> None:
    """After a reschedule: the old time's rows are cancelled and the new time's planned, together."""
    await cancel_booking_work(session, booking.id, now, keep_target=appointment.starts_at)
    await plan_booking(session, business, booking, appointment, now)


async def reconcile(session: AsyncSession, now: datetime, *, limit: int = 5000) -> int:
    """Plan upcoming bookings that have no rows for their current start yet; returns bookings planned."""
    planned = exists().where(ScheduledMessage.subject_id == Booking.id, ScheduledMessage.kind == "no_show",
                             ScheduledMessage.target_at == Appointment.starts_at)
    stmt = (select(Booking.id, Booking.business_id, Booking.created_at, Appointment.starts_at, Appointment.ends_at)
            .join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.status.in_(PLANNABLE), Appointment.status == "scheduled", Appointment.starts_at > now,
                   Appointment.starts_at <= now + timedelta(minutes=MAX_OFFSET_MIN + 60), ~planned)
            .order_by(Appointment.starts_at).limit(limit))
    found = (await session.execute(stmt)).all()
    businesses: dict[int, Business] = {}
    rows: list[dict[str, Any]] = []
    for booking_id, business_id, booked_at, start, end in found:
        if business_id not in businesses:
            business = await session.get(Business, business_id)
            assert business is not None
            businesses[business_id] = business
        rows += rows_for(businesses[business_id], booking_id, booked_at, start, end, now)
    await insert_rows(session, rows)
    return len(found)
