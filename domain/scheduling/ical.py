"""iCalendar (.ics): a trainer's subscribable calendar feed and a single booking for a client."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from icalendar import Alarm, Calendar, Event, vCalAddress, vDuration
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Appointment, Booking, Business, Client, Service, Staff
from domain.scheduling.booking_history import ACTIVE

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=180)
# How often subscribed calendars should re-fetch (Google largely ignores it, Apple honours it).
REFRESH = timedelta(minutes=15)
REMIND_BEFORE = timedelta(hours=2)
TRAINER_PRODID = "-//FitZap//Trainer calendar//EN"
BOOKING_PRODID = "-//FitZap//Booking//EN"


@dataclass(frozen=True)
class Mailed:
    """A booking's .ics sent by email: from `sender` ("Name <address>") to the client at `to`."""

    sender: str
    to: str
    name: str = ""


def new_ical_token() -> str:
    """The secret part of a trainer's calendar feed URL."""
    return secrets.token_urlsafe(32)


def _calendar(prodid: str, method: str = "PUBLISH") -> Calendar:
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def _sequence(created_at: datetime, updated_at: datetime) -> int:
    """Seconds since creation: grows with every change, so calendars replace the old copy."""
    return max(0, int((updated_at - created_at).total_seconds()))


def _event(uid: str, appointment: Appointment, summary: str, cancelled: bool, now: datetime,
           created_at: datetime, updated_at: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    # In UTC ("…Z"): a time just set in this session still carries the offset it came with (an API's "-03:00"),
    # which iCalendar would write as a floating local time.
    event.add("dtstart", appointment.starts_at.astimezone(UTC))
    event.add("dtend", appointment.ends_at.astimezone(UTC))
    event.add("summary", summary)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", _sequence(created_at, updated_at))
    event.add("created", created_at)
    event.add("last-modified", updated_at)
    return event


def _client_name(client: Client) -> str:
    return client.profile_name or client.phone_e164 or "client"


async def trainer_feed(session: AsyncSession, token: str, now: datetime) -> bytes:
    """The active trainer's appointments from 30 days ago to 180 days ahead, as an .ics feed."""
    staff = await session.scalar(select(Staff).where(Staff.ical_token == token))
    if staff is None or not staff.active:
        raise NotFound("calendar not found")  # never echo the token: it is the secret
    business = await session.get(Business, staff.business_id)
    assert business is not None  # staff.business_id is a cascading foreign key
    rows = (await session.execute(
        select(Appointment, Service.name).join(Service, Service.id == Appointment.service_id)
        .where(Appointment.business_id == staff.business_id, Appointment.staff_id == staff.id,
               Appointment.status.in_(("scheduled", "cancelled")),
               Appointment.ends_at > now - FEED_PAST, Appointment.starts_at < now + FEED_AHEAD)
        .order_by(Appointment.starts_at, Appointment.id)
    )).all()
    ids = [appointment.id for appointment, _ in rows]
    seats: dict[int, int] = {}
    clients: dict[int, str] = {}
    if ids:
        seats = dict((await session.execute(
            select(Booking.appointment_id, func.count()).where(Booking.appointment_id.in_(ids), Booking.status.in_(ACTIVE))
            .group_by(Booking.appointment_id)
        )).all())
        booked = await session.execute(
            select(Booking.appointment_id, Client).join(Client, Client.id == Booking.client_id)
            .where(Booking.appointment_id.in_(ids), Booking.status.in_(ACTIVE))
            .order_by(Booking.created_at, Booking.id)
        )
        for appointment_id, client in booked:
            clients.setdefault(appointment_id, _client_name(client))  # the first active booking wins

    cal = _calendar(TRAINER_PRODID)
    cal.add("x-wr-calname", f"{business.name} — {staff.name}")
    cal.add("x-wr-timezone", business.timezone)
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    for appointment, service_name in rows:
        if appointment.kind == "class":
            detail: str | None = f"{seats.get(appointment.id, 0)}/{appointment.capacity} booked"
        else:
            detail = clients.get(appointment.id)
        summary = f"{service_name} — {detail}" if detail else service_name
        cal.add_component(_event(f"appointment-{appointment.id}@fitzap", appointment, summary,
                                 appointment.status == "cancelled", now, appointment.created_at, appointment.updated_at))
    return cal.to_ical()


async def booking_business_id(session: AsyncSession, booking_id: int) -> int:
    """The business a booking belongs to (for links already authorised by a signature)."""
    business_id = await session.scalar(select(Booking.business_id).where(Booking.id == booking_id))
    if business_id is None:
        raise NotFound(f"booking {booking_id} not found")
    return business_id


async def booking_ics(session: AsyncSession, business_id: int, booking_id: int, now: datetime,
                      mailed: Mailed | None = None) -> bytes:
    """One client's booking as a single-event .ics with a reminder 2 hours before (METHOD:CANCEL once cancelled);
    with `mailed`, its ORGANIZER and ATTENDEE, which calendars need to apply a mailed update or cancellation."""
    row = (await session.execute(
        select(Booking, Appointment, Service.name, Business.name)
        .join(Appointment, Appointment.id == Booking.appointment_id)
        .join(Service, Service.id == Appointment.service_id)
        .join(Business, Business.id == Booking.business_id)
        .where(Booking.id == booking_id, Booking.business_id == business_id)
    )).one_or_none()
    if row is None:
        raise NotFound(f"booking {booking_id} not found")
    booking, appointment, service_name, business_name = row
    cancelled = booking.status in ("cancelled", "no_show") or appointment.status == "cancelled"
    # A reschedule moves the appointment, a cancel touches the booking: either must bump SEQUENCE.
    updated_at = max(booking.updated_at, appointment.updated_at)
    event = _event(f"booking-{booking.id}@fitzap", appointment, f"{service_name} — {business_name}", cancelled, now,
                   booking.created_at, updated_at)
    event.add("location", business_name)
    if mailed is not None:
        organizer_name, organizer = parseaddr(mailed.sender)
        event.add("organizer", vCalAddress(f"mailto:{organizer}"), parameters={"CN": organizer_name or business_name})
        event.add("attendee", vCalAddress(f"mailto:{mailed.to}"),
                  parameters={"CN": mailed.name, "ROLE": "REQ-PARTICIPANT"} if mailed.name else {"ROLE": "REQ-PARTICIPANT"})
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{service_name} — {business_name}")
        alarm.add("trigger", -REMIND_BEFORE)
        event.add_component(alarm)
    # A cancelled booking is a CANCEL of the same UID with a higher SEQUENCE: calendars remove the copy they hold.
    cal = _calendar(BOOKING_PRODID, "CANCEL" if cancelled else "PUBLISH")
    cal.add_component(event)
    return cal.to_ical()
