"""A client's answers to the waitlist, and what an offer of a held seat tells them."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Appointment, Business, Client, Service, WaitlistEntry
from domain.scheduling import classes


class OfferDetails(NamedTuple):
    client: Client
    appointment: Appointment
    service: Service


async def client_entry(session: AsyncSession, business_id: int, client_id: int, entry_id: int) -> WaitlistEntry | None:
    """The client's own waitlist entry with that id (None for anyone else's, or one that is gone)."""
    entry = await session.get(WaitlistEntry, entry_id)
    if entry is None or entry.business_id != business_id or entry.client_id != client_id:
        return None
    return entry


async def decline(session: AsyncSession, business: Business, entry: WaitlistEntry, now: datetime) -> list[WaitlistEntry]:
    """The client leaves the list (or turns the held seat down); returns the offers that pass the seat on."""
    entry.status, entry.updated_at = "cancelled", now
    appointment = await session.get(Appointment, entry.appointment_id)
    await session.flush()  # the declined entry must not count as a held seat below
    if appointment is None:
        return []
    return await classes.offer_freed_seats(session, business, appointment, now)


async def live_offer(session: AsyncSession, business_id: int, entry_id: int, now: datetime) -> WaitlistEntry | None:
    """The entry while its seat is still held for the client (None once taken, lapsed or gone)."""
    entry = await session.get(WaitlistEntry, entry_id)
    if (entry is None or entry.business_id != business_id or entry.status != "offered"
            or entry.offer_expires_at is None or entry.offer_expires_at <= now):
        return None
    return entry


async def offer_details(session: AsyncSession, entry: WaitlistEntry) -> OfferDetails:
    """Who the offer is for, and the class and service it is about."""
    client = await session.get(Client, entry.client_id)
    appointment = await session.get(Appointment, entry.appointment_id)
    service = await session.get(Service, appointment.service_id) if appointment is not None else None
    if client is None or appointment is None or service is None:
        raise NotFound(f"waitlist entry {entry.id} lost its client or class")
    return OfferDetails(client, appointment, service)
