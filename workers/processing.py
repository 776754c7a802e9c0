"""Turning a client's new inbound messages into replies: one transaction per batch."""
from __future__ import annotations

import logging
from typing import Any

from bot.runtime import Runtime
from conversations.engine import IncomingTurn, Turn, TurnContext, handle
from conversations.replies import Text, preview
from conversations.texts import say
from domain import inbox, outbox
from domain.conversation_store import lock_conversation
from domain.models import Business, Client, InboundMessage
from workers.enqueue import Enqueuer

log = logging.getLogger(__name__)


async def process_contact(rt: Runtime, enqueuer: Enqueuer, client_id: int) -> None:
    """Run the engine over the client's unprocessed messages in the order they were sent.

    The conversation row lock serialises concurrent workers for the same client; the new state,
    the replies (outbox) and the processed marks commit together or not at all.
    """
    queued = False
    async with rt.sessions.begin() as session:
        client = await session.get(Client, client_id)
        if client is None:
            return
        now = rt.clock.now()
        conversation = await lock_conversation(session, client.business_id, client_id, now)
        pending = await inbox.pending_for_client(session, client_id)
        if not pending:
            return
        business = await session.get(Business, client.business_id)
        assert business is not None
        messages = [_read_receipt(pending[-1])]
        state: dict[str, Any] = dict(conversation.state or {})
        if not conversation.handoff:  # a trainer has taken over: the bot stays quiet
            ctx = TurnContext(business.name, business.locale, client.profile_name, client.locale)
            for message in pending:
                turn = _safe_turn(state, message, ctx)
                state = turn.state
                messages += [outbox.OutgoingMessage(r.kind, preview(r), r.payload()) for r in turn.replies]
        await outbox.queue_messages(session, business.id, client_id, messages, now)
        conversation.state, conversation.version, conversation.updated_at = state, conversation.version + 1, now
        client.locale = state.get("locale", client.locale)
        await inbox.mark_processed(session, [m.id for m in pending], now)
        queued = True
    if queued:
        await enqueuer.deliver(client_id)


def _safe_turn(state: dict[str, Any], message: InboundMessage, ctx: TurnContext) -> Turn:
    """One message that trips a bug gets an apology instead of blocking the client's later ones."""
    try:
        return handle(state, _incoming(message), ctx)
    except Exception:
        log.exception("conversation engine failed on inbound message %s", message.id)
        locale = str(state.get("locale") or ctx.default_locale)
        return Turn(state, [Text(say(locale, "internal_error"))])


def _incoming(message: InboundMessage) -> IncomingTurn:
    payload = message.payload or {}
    interactive = payload.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    reply_id = reply.get("id") or (payload.get("button") or {}).get("payload")
    return IncomingTurn(kind=message.kind, text=message.body, reply_id=reply_id)


def _read_receipt(message: InboundMessage) -> outbox.OutgoingMessage:
    """Blue ticks on the newest message, so the client sees the bot has read them."""
    return outbox.OutgoingMessage("read", None, {"message_id": message.provider_message_id})
