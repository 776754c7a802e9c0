"""Erasure (LGPD/GDPR): the person's identity and words go; the business's history stays, anonymous."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Booking, CheckIn, Client, InboundMessage, OutboundMessage
from domain.scheduling.catalog import get_scoped


class StoredCounts(NamedTuple):
    bookings: int
    checkins: int
    messages: int  # the client's own messages


async def stored_counts(session: AsyncSession, business_id: int, client_id: int) -> StoredCounts:
    """How many bookings, check-ins and messages the business keeps for the client (an access request's summary)."""
    counts = [select(func.count()).select_from(model).where(model.business_id == business_id, model.client_id == client_id)
              for model in (Booking, CheckIn, InboundMessage)]
    return StoredCounts(*[(await session.execute(stmt)).scalar_one() for stmt in counts])


async def erase_client(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> None:
    """Remove the client's name, ids and message texts; bookings, check-ins and credits stay, unnamed.

    The WhatsApp id is kept only until the last queued message (the goodbye) has left:
    `forget_address_if_erased` drops it then.
    """
    client = await get_scoped(session, Client, business_id, client_id)
    client.profile_name, client.phone_e164, client.user_id, client.locale = None, None, None, None
    client.email = None
    client.contact_key, client.erased_at, client.marketing_consent = f"erased:{client.id}", now, None
    await session.execute(update(InboundMessage).where(InboundMessage.client_id == client_id)
                          .values(body=None, payload={}).execution_options(synchronize_session=False))
    await session.execute(update(OutboundMessage).where(OutboundMessage.client_id == client_id,
                                                        OutboundMessage.status.notin_(("queued", "sending")))
                          .values(body=None, payload={}).execution_options(synchronize_session=False))


async def forget_address_if_erased(session: AsyncSession, client_id: int) -> None:
    """Once an erased client's outbox is empty, drop the last trace of the number."""
    unfinished = exists().where(OutboundMessage.client_id == client_id, OutboundMessage.status.in_(("queued", "sending")))
    stmt = select(Client).where(Client.id == client_id, Client.erased_at.is_not(None), ~unfinished)
    client = (await session.execute(stmt)).scalar_one_or_none()
    if client is not None and client.wa_id is not None:
        client.wa_id = None
        await session.execute(update(OutboundMessage).where(OutboundMessage.client_id == client_id)
                              .values(body=None, payload={}).execution_options(synchronize_session=False))
