"""A trainer writing to a client from the panel: through the outbox, inside WhatsApp's rules."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.messaging import handoff, outbox
from domain.models import Client


class ReplyRefused(DomainError):
    code = "reply_refused"


class OutsideWindow(ReplyRefused):
    """Free-form text after 24 h without a message from the client: only a template may go."""

    code = "outside_24h_window"


class Unreachable(ReplyRefused):
    """The client was erased (or has no WhatsApp number): there is no one to write to."""

    code = "unreachable"


async def send_as_trainer(session: AsyncSession, client: Client, message: outbox.OutgoingMessage,
                          now: datetime, by: str | None = None) -> None:
    """Queue the trainer's message, taking the conversation over so the bot does not talk too.

    The caller wakes delivery after commit. Free-form kinds need the 24-hour window to be open.
    """
    if client.erased_at is not None or not client.wa_id:
        raise Unreachable("this client cannot receive messages")
    # Locked first: a message arriving meanwhile is processed after this, with the bot already quiet.
    await handoff.take_over(session, client.business_id, client.id, now, by)
    if message.kind in outbox.FREE_FORM_KINDS and not outbox.inside_window(client.last_inbound_at, now):
        raise OutsideWindow("more than 24 hours since the client's last message: choose an approved template")
    await outbox.queue_messages(session, client.business_id, client.id, [message], now)
