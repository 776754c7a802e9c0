"""Turning clients' new inbound messages into replies: each client's turn all or nothing, several
clients' turns in one transaction when one wake-up brings them (and one each, should one fail).

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

from channels.webhook_payloads import incoming
from conversations.context import Ctx, Incoming
from conversations.engine import handle
from conversations.notices import queue_waitlist_offers
from conversations.replies import Text, preview
from conversations.state import State
from domain.messaging import outbox
from domain.messaging.claims import Claim
from domain.messaging.conversation_store import LockedConversation, lock_for_turns
from domain.messaging.turn_end import TurnEnd, end_turns
from domain.messaging.turn_inputs import PendingMessage, TurnInputs, load_turns
from domain.models import WaitlistEntry
from runtime.resources import Runtime
from runtime.wake import TURNS_PER_TRANSACTION
from workers.delivery import send_and_record

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnOutcome:
    """What a committed turn leaves for its worker to do."""

    claim: Claim | None = None  # the turn's replies, claimed in its transaction: send them now
    wake: list[int] = field(default_factory=list)  # clients whose queued rows need a delivery wake-up


async def process(rt: Runtime, client_ids: list[int]) -> None:
    """Take the turns of the clients one wake-up brought, sending each group's replies as it commits.

    Up to TURNS_PER_TRANSACTION turns share a transaction. A turn that fails does not hold back the
    others' replies; it is raised afterwards so that the broker retries the wake-up, and the
    clients already done have nothing pending by then.
    """
    ids = sorted(set(client_ids))
    groups = [ids[i:i + TURNS_PER_TRANSACTION] for i in range(0, len(ids), TURNS_PER_TRANSACTION)]
    done = await asyncio.gather(*(_group(rt, g) for g in groups))
    turns = [turn for group_turns, _ in done for turn in group_turns]
    await rt.wake.deliver({client_id for turn in turns if isinstance(turn, TurnOutcome) for client_id in turn.wake})
    failures = [f for f in (*turns, *(send_failure for _, send_failure in done)) if isinstance(f, BaseException)]
    if failures:
        raise failures[0]


async def _group(rt: Runtime, client_ids: list[int]) -> tuple[list[TurnOutcome | BaseException], BaseException | None]:
    """One transaction's turns, then their replies' sends (the same send path as every delivery)."""
    async with rt.turns_in_flight:
        turns = await take_turns(rt, client_ids)
    try:
        await send_and_record(rt, [turn.claim for turn in turns if isinstance(turn, TurnOutcome) and turn.claim])
    except Exception as exc:  # those rows stay 'sending' for the sweeper
        return turns, exc
    return turns, None


class _EngineFailed(Exception):
    """The engine raised on a turn taken without savepoints."""


async def take_turns(rt: Runtime, client_ids: list[int]) -> list[TurnOutcome | BaseException]:
    """take_turn for each of these clients (in id order), all in one transaction; should one of them
    fail, each again in a transaction of its own, so that only that one fails."""
    if len(client_ids) > 1:
        try:
            async with rt.sessions.begin() as session:
                return list(await _turns(rt, session, client_ids, guarded=False))
        except Exception:  # everything rolled back; the turns are taken again one by one
            log.debug("a shared turn transaction failed; taking its turns one by one", exc_info=True)
    outcomes: list[TurnOutcome | BaseException] = []
    for client_id in client_ids:
        try:
            outcomes.append(await take_turn(rt, client_id))
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


async def take_turn(rt: Runtime, client_id: int) -> TurnOutcome:
    """Run the engine over the client's unprocessed messages in the order they were sent.

    The conversation row lock serialises concurrent workers for the same client; the new state,
    the domain changes, the replies (outbox) and the processed marks commit together or not at all.
    """
    try:
        async with rt.sessions.begin() as session:
            return (await _turns(rt, session, [client_id], guarded=False))[0]
    except _EngineFailed:
        # Rare: the turn starts over with every message in a savepoint of its own, so that only the
        # one that trips the bug loses its changes. Always guarding cost two round trips a message.
        async with rt.sessions.begin() as session:
            return (await _turns(rt, session, [client_id], guarded=True))[0]


async def _turns(rt: Runtime, session: AsyncSession, client_ids: list[int], guarded: bool) -> list[TurnOutcome]:
    """The clients' turns in the session's transaction: their locks in one statement, their reads in
    another, and what they decided in a third."""
    now = rt.clock.now()
    locked = await lock_for_turns(session, client_ids, now)
    inputs = await load_turns(session, list(locked))
    decided: dict[int, _Decided] = {}
    unwritten: list[TurnEnd] = []
    written: list[list[outbox.Sending]] = []
    for client_id in client_ids:
        if client_id in inputs and inputs[client_id].pending:
            turn = decided[client_id] = await _decide(session, locked[client_id], inputs[client_id], now, guarded,
                                                      rt.pay_links)
            if turn.offers:
                # The offers go to other clients' outboxes: the turns decided before this one write
                # their rows first, so that each outbox keeps the order in which its rows were decided.
                written += await end_turns(session, unwritten, now)
                unwritten = []
                await queue_waitlist_offers(session, inputs[client_id].business, turn.offers, now)
            unwritten.append(turn.end)
    written += await end_turns(session, unwritten, now)
    rows = dict(zip(decided, written))
    return [_outcome(decided[i], inputs[i], rows[i]) if i in decided else TurnOutcome() for i in client_ids]


@dataclass(frozen=True)
class _Decided:
    end: TurnEnd
    offers: list[WaitlistEntry]


async def _decide(session: AsyncSession, conversation: LockedConversation, inputs: TurnInputs, now: datetime,
                  guarded: bool, public_url: str | None) -> _Decided:
    """Run the engine over the client's unprocessed messages; what it decided is written later."""
    client, business, pending = inputs.client, inputs.business, inputs.pending
    messages = [_read_receipt(pending[-1])]
    offers: list[WaitlistEntry] = []
    state, handoff = State.load(conversation.state), conversation.handoff
    for message in pending:
        if handoff:  # a trainer has taken over: the bot stays quiet
            break
        ctx = Ctx(session, business, client, now, state, public_url=public_url)
        said = incoming(message.kind, message.body, message.payload)
        await (_guarded_turn(session, ctx, said) if guarded else _fast_turn(ctx, said))
        messages += [outbox.OutgoingMessage(r.kind, preview(r), r.payload()) for r in ctx.replies]
        handoff = ctx.handoff
        offers += ctx.offers
    end = TurnEnd(conversation, business.id, client.id, state.dump(), handoff, [m.id for m in pending], state.locale,
                  messages, _sendable_now(inputs, messages, now))
    return _Decided(end, offers)


def _outcome(turn: _Decided, inputs: TurnInputs, rows: list[outbox.Sending]) -> TurnOutcome:
    wake = [offer.client_id for offer in turn.offers]
    if not turn.end.send_now:
        return TurnOutcome(None, [*wake, inputs.client.id])
    return TurnOutcome(Claim(inputs.client.id, inputs.client.wa_id or "", inputs.business, rows), wake)


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


def _read_receipt(message: PendingMessage) -> outbox.OutgoingMessage:
    """Blue ticks on the newest message, so the client sees the bot has read them."""
    return outbox.OutgoingMessage("read", None, {"message_id": message.provider_message_id})
