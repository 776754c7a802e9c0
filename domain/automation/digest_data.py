"""What a trainer's daily digest reports: the day's sessions, open handoffs, yesterday's no-shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import AdminUser, Appointment, Booking, Client, Conversation, Service, Staff
from domain.people.phones import canonical_phone, contact_key
from domain.sql.upsert import insert_for


@dataclass(frozen=True)
class DaySession:
    starts_at: datetime
    service: str
    clients: list[str]


@dataclass(frozen=True)
class Digest:
    sessions: list[DaySession]
    handoffs: list[str]  # names of clients waiting for a person
    no_shows: list[tuple[datetime, str]]  # (start, client name) yesterday


async def gather(session: AsyncSession, staff: Staff, day_start: datetime) -> Digest:
    """The digest of the local day starting at `day_start` (UTC instant of local midnight)."""
    day_end, yesterday = day_start + timedelta(days=1), day_start - timedelta(days=1)
    mine = (Appointment.business_id == staff.business_id, Appointment.staff_id == staff.id)
    stmt = (select(Appointment.id, Appointment.starts_at, Service.name, Client.profile_name, Booking.status)
            .join(Service, Service.id == Appointment.service_id)
            .outerjoin(Booking, Booking.appointment_id == Appointment.id).outerjoin(Client, Client.id == Booking.client_id)
            .where(*mine, Appointment.status == "scheduled", Appointment.starts_at >= yesterday,
                   Appointment.starts_at < day_end)
            .order_by(Appointment.starts_at, Appointment.id))
    today: dict[int, DaySession] = {}
    no_shows: list[tuple[datetime, str]] = []
    for appointment_id, starts_at, service, name, status in (await session.execute(stmt)).all():
        if starts_at < day_start:
            if status == "no_show":
                no_shows.append((starts_at, name or "?"))
            continue
        item = today.setdefault(appointment_id, DaySession(starts_at, service, []))
        if status in ("booked", "confirmed", "checked_in"):
            item.clients.append(name or "?")
    waiting = (select(Client.profile_name, Client.phone_e164).join(Conversation, Conversation.client_id == Client.id)
               .where(Conversation.business_id == staff.business_id, Conversation.handoff.is_(True))
               .order_by(Conversation.updated_at))
    handoffs = [name or phone or "?" for name, phone in (await session.execute(waiting)).all()]
    return Digest([s for s in today.values() if s.clients], handoffs, no_shows)


async def owner_contacts(session: AsyncSession, business_id: int, now: datetime) -> list[Client]:
    """The WhatsApp contacts of the business's owners who are also on its staff with a number (money news goes there)."""
    stmt = (select(Staff).join(AdminUser, AdminUser.staff_id == Staff.id)
            .where(Staff.business_id == business_id, AdminUser.business_id == business_id, AdminUser.role == "owner",
                   AdminUser.active.is_(True), Staff.active.is_(True), Staff.wa_id.is_not(None)))
    contacts = [await trainer_contact(session, staff, now) for staff in (await session.execute(stmt)).scalars().unique()]
    return [c for c in contacts if c is not None]


async def trainer_contact(session: AsyncSession, staff: Staff, now: datetime) -> Client | None:
    """The trainer's own WhatsApp as a contact of the business, so the outbox can deliver to it."""
    key = contact_key(staff.wa_id, None) if staff.wa_id else None
    if key is None:
        return None
    upsert = insert_for(session, Client).values(
        business_id=staff.business_id, contact_key=key, wa_id=staff.wa_id, phone_e164=canonical_phone(staff.wa_id or ""),
        profile_name=staff.name, created_at=now,
    ).on_conflict_do_nothing(index_elements=["business_id", "contact_key"])
    await session.execute(upsert)
    stmt = select(Client).where(Client.business_id == staff.business_id, Client.contact_key == key)
    return (await session.execute(stmt)).scalar_one()
