"""Turning clients' new inbound messages into replies: one transaction per client's turn."""
from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from conversations.context import Ctx, Incoming
from conversations.engine import handle
from conversations.notices import queue_waitlist_offers
from conversations.replies import Text, preview
from conversations.state import State
from domain import inbox, outbox
from domain.conversation_store import lock_for_turn, save_turn
from domain.turn_inputs import PendingMessage, load_turn
from workers.enqueue import Enqueuer

log = logging.getLogger(__name__)
# Turns of one wake-up run side by side, each in its own transaction on its own pooled connection;
# more than this would only queue for the pool (DB_POOL_SIZE, 10 by default, and as many overflow).
TURNS_IN_FLIGHT = 8


async def process_contacts(rt: Runtime, enqueuer: Enqueuer, client_ids: list[int]) -> None:
    """Take the turns of the clients one webhook batch woke, then wake one batch delivery for the replies.

    One wake-up for many clients spreads the broker's cost over them. A turn that fails does not
    hold back the others' replies; it is raised afterwards so that the broker retries the wake-up,
    and the clients already done have nothing pending by then.
    """
    in_flight = asyncio.Semaphore(TURNS_IN_FLIGHT)

    async def one(client_id: int) -> bool:
        async with in_flight:
            return await take_turn(rt, client_id)

    outcomes = await asyncio.gather(*(one(i) for i in client_ids), return_exceptions=True)
    replied = [i for i, outcome in zip(client_ids, outcomes) if outcome is True]
    if replied:
        await enqueuer.deliver_many(replied)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def process_contact(rt: Runtime, enqueuer: Enqueuer, client_id: int) -> None:
    """One client's turn, then a wake-up for its delivery."""
    if await take_turn(rt, client_id):
        await enqueuer.deliver(client_id)


async def take_turn(rt: Runtime, client_id: int) -> bool:
    """Run the engine over the client's unprocessed messages in the order they were sent; True if it queued any.

    The conversation row lock serialises concurrent workers for the same client; the new state,
    the domain changes, the replies (outbox) and the processed marks commit together or not at all.
    """
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        conversation = await lock_for_turn(session, client_id, now)
        if conversation is None:
            return False
        inputs = await load_turn(session, client_id)
        if inputs is None or not inputs.pending:
            return False
        client, business, pending = inputs.client, inputs.business, inputs.pending
        messages = [_read_receipt(pending[-1])]
        state, handoff = State.load(conversation.state), conversation.handoff
        for message in pending:
            if handoff:  # a trainer has taken over: the bot stays quiet
                break
            ctx = Ctx(session, business, client, now, state)
            await _safe_turn(session, ctx, _incoming(message))
            messages += [outbox.OutgoingMessage(r.kind, preview(r), r.payload()) for r in ctx.replies]
            handoff = ctx.handoff
            if ctx.offers:
                await queue_waitlist_offers(session, business, ctx.offers, now)
        await outbox.queue_messages(session, business.id, client_id, messages, now)
        await save_turn(session, conversation, state.dump(), handoff, now)
        client.locale = state.locale or client.locale
        await inbox.mark_processed(session, [m.id for m in pending], now)
    return True


async def _safe_turn(session: AsyncSession, ctx: Ctx, incoming: Incoming) -> None:
    """One message that trips a bug gets an apology; its half-done changes are rolled back."""
    try:
        async with session.begin_nested():
            await handle(ctx, incoming)
    except Exception:
        log.exception("conversation engine failed for client %s", ctx.client.id)
        ctx.state.reset()
        ctx.replies = [Text(ctx.t("internal_error"))]
        ctx.handoff, ctx.offers = False, []


def _incoming(message: PendingMessage) -> Incoming:
    payload = message.payload or {}
    interactive = payload.get("interactive") or {}
    reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
    # A template's quick-reply payload is ours only when it has our id shape ("reminder:confirm:12").
    template_payload = (payload.get("button") or {}).get("payload") or ""
    reply_id = reply.get("id") or (template_payload if ":" in template_payload else None)
    location = payload.get("location") or {}
    return Incoming(kind=message.kind, text=message.body, reply_id=reply_id,
                    latitude=location.get("latitude"), longitude=location.get("longitude"))


def _read_receipt(message: PendingMessage) -> outbox.OutgoingMessage:
    """Blue ticks on the newest message, so the client sees the bot has read them."""
    return outbox.OutgoingMessage("read", None, {"message_id": message.provider_message_id})
