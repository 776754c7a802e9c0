"""Turning clients' new inbound messages into replies: one transaction per client's turn.

A turn whose client has nothing else on its way writes its replies already claimed for sending
and sends them as soon as it commits: no delivery wake-up, no claim transaction, and the reply
is handed to the channel a broker round trip sooner. A crash between the commit and the sends
leaves rows in 'sending', which the sweeper takes up like any other abandoned send.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.runtime import Runtime
from conversations.context import Ctx, Incoming
from conversations.engine import handle
from conversations.notices import queue_waitlist_offers
from conversations.replies import Text, preview
from conversations.state import State
from domain import outbox
from domain.conversation_store import lock_for_turn
from domain.turn_end import TurnEnd, end_turn
from domain.turn_inputs import PendingMessage, TurnInputs, load_turn
from workers import delivery_batch
from workers.delivery_batch import Claim
from workers.enqueue import Enqueuer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnOutcome:
    """What a committed turn leaves for its worker to do."""

    claim: Claim | None = None  # the turn's replies, claimed in its transaction: send them now
    wake: list[int] = field(default_factory=list)  # clients whose queued rows need a delivery wake-up


async def process_contacts(rt: Runtime, enqueuer: Enqueuer, client_ids: list[int]) -> None:
    """Take the turns of the clients one webhook batch woke, sending each turn's replies as it commits.

    One wake-up for many clients spreads the broker's cost over them, and what their sends did is
    recorded in one transaction, shared with the other wake-ups on this loop whose sends ended
    meanwhile. A turn that fails does not hold back the others' replies; it is raised afterwards
    so that the broker retries the wake-up, and the clients already done have nothing pending by then.
    """

    async def one(client_id: int) -> tuple[TurnOutcome, delivery_batch.Outcome | None]:
        async with rt.turns_in_flight:
            turn = await take_turn(rt, client_id)
        return turn, None if turn.claim is None else await delivery_batch.send_claim(rt, turn.claim)

    async def record(batch: list[tuple[Claim, delivery_batch.Outcome]]) -> None:
        async with rt.turns_in_flight:  # a connection like a turn's: past the pool, each is a new backend
            await delivery_batch.record_sends(rt, enqueuer, batch)

    outcomes = await asyncio.gather(*(one(i) for i in client_ids), return_exceptions=True)
    done = [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
    sent = [(turn.claim, result) for turn, result in done if turn.claim is not None and result is not None]
    await rt.send_records.write(sent, record)
    wake = sorted({client_id for turn, _ in done for client_id in turn.wake})
    if wake:
        await enqueuer.deliver_many(wake)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def process_contact(rt: Runtime, enqueuer: Enqueuer, client_id: int) -> None:
    """One client's turn, then its delivery."""
    await process_contacts(rt, enqueuer, [client_id])


class _EngineFailed(Exception):
    """The engine raised on a turn taken without savepoints."""


async def take_turn(rt: Runtime, client_id: int) -> TurnOutcome:
    """Run the engine over the client's unprocessed messages in the order they were sent.

    The conversation row lock serialises concurrent workers for the same client; the new state,
    the domain changes, the replies (outbox) and the processed marks commit together or not at all.
    """
    try:
        return await _turn(rt, client_id, guarded=False)
    except _EngineFailed:
        # Rare: the turn starts over with every message in a savepoint of its own, so that only the
        # one that trips the bug loses its changes. Always guarding cost two round trips a message.
        return await _turn(rt, client_id, guarded=True)


async def _turn(rt: Runtime, client_id: int, guarded: bool) -> TurnOutcome:
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        conversation = await lock_for_turn(session, client_id, now)
        if conversation is None:
            return TurnOutcome()
        inputs = await load_turn(session, client_id)
        if inputs is None or not inputs.pending:
            return TurnOutcome()
        client, business, pending = inputs.client, inputs.business, inputs.pending
        messages = [_read_receipt(pending[-1])]
        wake: list[int] = []
        state, handoff = State.load(conversation.state), conversation.handoff
        for message in pending:
            if handoff:  # a trainer has taken over: the bot stays quiet
                break
            ctx = Ctx(session, business, client, now, state)
            await (_guarded_turn(session, ctx, _incoming(message)) if guarded else _fast_turn(ctx, _incoming(message)))
            messages += [outbox.OutgoingMessage(r.kind, preview(r), r.payload()) for r in ctx.replies]
            handoff = ctx.handoff
            if ctx.offers:
                await queue_waitlist_offers(session, business, ctx.offers, now)
                wake += [offer.client_id for offer in ctx.offers]
        send_now = _sendable_now(inputs, messages, now)
        end = TurnEnd(state.dump(), handoff, [m.id for m in pending], state.locale, messages, send_now)
        rows = await end_turn(session, conversation, business.id, client_id, end, now)
    if not send_now:
        return TurnOutcome(None, [*wake, client_id])
    return TurnOutcome(Claim(client_id, client.wa_id or "", business, rows), wake)


def _sendable_now(inputs: TurnInputs, messages: list[outbox.OutgoingMessage], now: datetime) -> bool:
    """Whether the batch delivery would claim all these rows at once: the turn may claim them itself.

    Anything it would look at twice (rows ahead of these, an erased client, a free-form reply outside
    the 24-hour window, more rows than one claim takes) goes through the queue and its checks instead.
    """
    return (not inputs.outbox_busy and inputs.client.erased_at is None and len(messages) <= outbox.CLAIM_LIMIT
            and outbox.inside_window(inputs.client.last_inbound_at, now))


async def _fast_turn(ctx: Ctx, incoming: Incoming) -> None:
    try:
        await handle(ctx, incoming)
    except Exception as exc:  # the whole transaction rolls back; take_turn starts it over, guarded
        raise _EngineFailed from exc


async def _guarded_turn(session: AsyncSession, ctx: Ctx, incoming: Incoming) -> None:
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
