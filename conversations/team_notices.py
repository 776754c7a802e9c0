"""Telling a client in chat what the team changed for them in the panel (booked, moved, cancelled).

Queued in the same transaction as the change, in the client's locale: a free-form text inside
the 24-hour window, the approved template of the same name outside it.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.dates import when
from conversations.reach import Reach, reach
from conversations.replies import Reply, Template, Text, preview
from conversations.texts import DEFAULT_LOCALE, say
from domain.errors import NotFound
from domain.messaging import outbox
from domain.models import Business, Client
from domain.scheduling.catalog import get_scoped

Value = str | int | bool | datetime


async def tell(session: AsyncSession, business: Business, client_id: int, now: datetime, message: str,
               text_only: Mapping[str, Value] | None = None, **params: Value) -> Reach | None:
    """Queue `message` for the client (times shown in the business's zone); whether it can reach them (conversations.
    reach), or None if they were erased.

    `text_only` fills words an approved template has no variable for (a cancellation's reason): they reach the
    client inside the 24-hour window only."""
    try:
        client = await get_scoped(session, Client, business.id, client_id)
    except NotFound:
        return None
    if client.erased_at is not None:
        return None
    told = await reach(session, business, client, now, message)
    locale = client.locale or business.locale or DEFAULT_LOCALE
    shown = {k: when(v, business.timezone, locale) if isinstance(v, datetime) else v for k, v in params.items()}
    reply: Reply
    if told.inside_window:
        reply = Text(say(locale, message, **shown, **(text_only or {})))
    else:  # outside the window only an approved template may reach the client
        values = tuple(str(v) for v in shown.values() if not isinstance(v, bool))
        reply = Template(message, told.language, values)
    await outbox.queue_messages(session, business.id, client.id, [outbox.OutgoingMessage(reply.kind, preview(reply), reply.payload())], now)
    return told
