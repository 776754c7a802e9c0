"""Telling a client by email what WhatsApp cannot tell them: a booking the team made, with its .ics invitation.

Queued in the same transaction as the booking (domain.messaging.emails); a worker sends it after the commit."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.email_texts import booking_confirmation
from conversations.reach import Reach
from conversations.texts import DEFAULT_LOCALE
from domain.messaging import emails
from domain.models import Business, Client
from domain.scheduling.ical import booking_ics


def wants_email(client: Client, told: Reach) -> bool:
    """A client with an email whom WhatsApp cannot reach: out of the window with no template, or opted out of it."""
    return bool(client.email) and client.erased_at is None and (not told.ok or client.opted_out)


async def email_booking(session: AsyncSession, business: Business, client: Client, booking_id: int, *, service: str,
                        starts_at: datetime, trainer: str, now: datetime) -> None:
    """Queue the booking's confirmation, with its .ics, to the client's email, in their language."""
    assert client.email is not None
    ics = await booking_ics(session, business.id, booking_id, now)
    draft = booking_confirmation(client.email, client.profile_name or "", business.name, service, starts_at,
                                 business.timezone, trainer, client.locale or business.locale or DEFAULT_LOCALE, ics)
    await emails.queue(session, business.id, draft, now)
