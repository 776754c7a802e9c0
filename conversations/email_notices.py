"""Telling a client by email what WhatsApp cannot tell them: a booking the team made, moved or cancelled, with its
.ics (an invitation, the same event updated, or its cancellation).

Queued in the same transaction as the change (domain.messaging.emails); a worker sends it after the commit."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.email_texts import booking_cancelled, booking_confirmation, booking_moved
from conversations.reach import Reach
from conversations.texts import DEFAULT_LOCALE
from domain.messaging import emails
from domain.models import Business, Client
from domain.scheduling.catalog import get_scoped
from domain.scheduling.ical import Mailed, booking_ics


def wants_email(client: Client, told: Reach) -> bool:
    """A client with an email whom WhatsApp cannot reach: out of the window with no template, or opted out of it."""
    return bool(client.email) and client.erased_at is None and (not told.ok or client.opted_out)


async def email_instead(session: AsyncSession, business: Business, client_id: int, told: Reach,
                        queue: Callable[[Client], Awaitable[None]]) -> bool:
    """`queue` the change by email too when WhatsApp cannot reach the client and they gave an email (wants_email);
    whether it was."""
    client = await get_scoped(session, Client, business.id, client_id)
    if not wants_email(client, told):
        return False
    await queue(client)
    return True


async def _ics(session: AsyncSession, business: Business, client: Client, booking_id: int, now: datetime, sender: str) -> bytes:
    """The booking's .ics as mailed by `sender` (the mailer's From) to the client."""
    assert client.email is not None
    return await booking_ics(session, business.id, booking_id, now, Mailed(sender, client.email, client.profile_name or ""))


def _locale(business: Business, client: Client) -> str:
    return client.locale or business.locale or DEFAULT_LOCALE


async def email_booking(session: AsyncSession, business: Business, client: Client, booking_id: int, *, service: str,
                        starts_at: datetime, trainer: str, now: datetime, sender: str) -> None:
    """Queue the booking's confirmation, with its .ics, to the client's email, in their language."""
    assert client.email is not None
    ics = await _ics(session, business, client, booking_id, now, sender)
    draft = booking_confirmation(client.email, client.profile_name or "", business.name, service, starts_at,
                                 business.timezone, trainer, _locale(business, client), ics)
    await emails.queue(session, business.id, draft, now)


async def email_moved(session: AsyncSession, business: Business, client: Client, booking_id: int, *, service: str,
                      old: datetime, new: datetime, trainer: str, now: datetime, sender: str) -> None:
    """Queue the new time, with the booking's .ics as it is now (same UID, higher SEQUENCE), to the client's email."""
    assert client.email is not None
    ics = await _ics(session, business, client, booking_id, now, sender)
    draft = booking_moved(client.email, client.profile_name or "", business.name, service, old, new, business.timezone,
                          trainer, _locale(business, client), ics)
    await emails.queue(session, business.id, draft, now)


async def email_cancelled(session: AsyncSession, business: Business, client: Client, booking_id: int, *, service: str,
                          starts_at: datetime, refunded: bool, late: bool, reason: str | None, now: datetime,
                          sender: str) -> None:
    """Queue the cancellation, with the .ics that takes it off the client's calendar (METHOD:CANCEL), to their email."""
    assert client.email is not None
    ics = await _ics(session, business, client, booking_id, now, sender)
    draft = booking_cancelled(client.email, client.profile_name or "", business.name, service, starts_at, business.timezone,
                              _locale(business, client), ics, refunded=refunded, late=late, reason=reason)
    await emails.queue(session, business.id, draft, now)
