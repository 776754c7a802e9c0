"""Delivering many clients' outboxes in one go: automated messages (reminders and the like) and the
replies that turns had to queue behind older rows.

Same rules as `delivery.deliver` (per-conversation lock, in-order rows, the number's rate limit,
backoff), but one claim and one outcome transaction for up to two hundred clients, with their sends
running side by side. Clients it cannot take cleanly (another worker holds the conversation, a
free-form row outside the window, an erased client) go to the one-client path. The turns that
claim their own replies send and record them through `send_claim` and `record_sends` too.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.resources import Runtime
from domain.messaging import outbox
from domain.people.businesses import by_ids
from domain.models import Business, Client, Conversation
from domain.messaging.statuses import mark_sent
from domain.sql.upsert import insert_for
from workers import delivery
from runtime.wake import Enqueuer
from runtime.rate_limit import RateLimiter
from runtime.reserved_turns import ReservedTurns


@dataclass
class Claim:
    client_id: int
    wa_id: str
    business: Business
    rows: list[outbox.Sending]


Outcome = tuple[delivery.Sent, delivery.Failure]


async def deliver_many(rt: Runtime, enqueuer: Enqueuer, client_ids: list[int]) -> None:
    """Send every due row of these clients; hand the awkward ones to the one-client path."""
    claims, elsewhere = await _claim(rt, client_ids)
    results = await send_claims(rt, claims)
    sent = [(claim, result) for claim, result in zip(claims, results) if not isinstance(result, BaseException)]
    await record_sends(rt, enqueuer, sent, elsewhere)
    for result in results:
        if isinstance(result, BaseException):
            raise result  # its rows stay 'sending' for the sweeper; the others are recorded


async def send_claims(rt: Runtime, claims: list[Claim]) -> list[Outcome | BaseException]:
    """The claims' sends side by side, each claim's in order; what each did, or what it raised."""
    if not claims:
        return []
    turns = ReservedTurns(rt.limiter)  # a hundred sends' slots in a round trip or two, not a hundred
    sends_per_number: Counter[str] = Counter()
    for claim in claims:
        sends_per_number[claim.business.phone_number_id] += len(claim.rows)
    await turns.take(sends_per_number)
    return list(await asyncio.gather(*(send_claim(rt, c, turns) for c in claims), return_exceptions=True))


async def send_claim(rt: Runtime, claim: Claim, turns: RateLimiter | None = None) -> Outcome:
    """One client's claimed rows, in order, holding one of the loop's send slots (`turns`: reserved slots)."""
    async with rt.sends_in_flight:
        return await delivery.send_rows(rt, claim.rows, claim.business, claim.wa_id, turns)


async def record_sends(rt: Runtime, enqueuer: Enqueuer, sent: list[tuple[Claim, Outcome]], elsewhere: Iterable[int] = ()) -> None:
    """Record what the claims' sends did, all together; wake the one-client path for the rest."""
    again = list(elsewhere)
    if sent:
        clean = [(c, done) for c, (done, failure) in sent if failure is None]
        now = rt.clock.now()
        # When every send went through (the usual case) the marks are one statement, atomic and safe
        # to repeat on its own; a failure's bookkeeping (backoff, pause, release) needs a transaction.
        sessions = rt.single_statements if len(clean) == len(sent) else rt.sessions
        async with sessions.begin() as session:
            await mark_sent(session, [(c.business.id, row.id, pid) for c, done in clean for row, pid in done], now)
            for claim, (done, failure) in sent:
                if failure is not None:  # the rare case: the one-client bookkeeping
                    await delivery.record_outcome(rt, session, claim.business, claim.rows, done, failure)
                if failure is not None or len(claim.rows) == outbox.CLAIM_LIMIT:
                    again.append(claim.client_id)  # a retry, or more rows behind these: the one-client path goes on
        # Read after the marks commit: a turn that queued rows behind these while they were being
        # sent woke a delivery that found them still 'sending' and left.
        async with rt.single_statements() as session:
            again += await outbox.clients_with_queued(session, [c.client_id for c, _ in clean])
    for client_id in sorted(set(again)):
        await enqueuer.deliver(client_id)


async def _claim(rt: Runtime, client_ids: list[int]) -> tuple[list[Claim], list[int]]:
    # Plain rows, not ORM objects: building a hundred clients and their rows as objects was the
    # biggest single cost of a batch.
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        ids = sorted(set(client_ids))
        clients = {r.id: r for r in (await session.execute(_CLIENTS, {"ids": ids})).all()}
        await _ensure_conversations(session, clients.values(), now)
        locked = set((await session.execute(_LOCK_FREE, {"ids": ids})).scalars().all())
        by_client: dict[int, list[Row[Any]]] = {}
        for row in await outbox.unfinished_rows(session, sorted(locked)):
            by_client.setdefault(row.client_id, []).append(row)
        picked: dict[int, list[Row[Any]]] = {}
        elsewhere = [i for i in ids if i not in locked]
        for client_id, mine in by_client.items():
            client = clients[client_id]
            due = outbox.pick_due(mine[:outbox.CLAIM_LIMIT], now)
            if not isinstance(due, list):
                continue
            free_form_refused = (any(r.kind in outbox.FREE_FORM_KINDS for r in due)
                                 and not outbox.inside_window(client.last_inbound_at, now))
            if client.erased_at is not None or free_form_refused:
                elsewhere.append(client_id)  # nothing marked: the one-client path sorts them out
                continue
            picked[client_id] = due
        sending = iter(await outbox.mark_sending(session, [r for due in picked.values() for r in due], now))
        # One query for the batch's businesses: a batch of a hundred clients can span a hundred of them.
        businesses = await by_ids(session, (clients[i].business_id for i in picked))
    claims = [Claim(i, clients[i].wa_id or "", businesses[clients[i].business_id], [next(sending) for _ in due])
              for i, due in picked.items()]
    return claims, elsewhere


async def _ensure_conversations(session: AsyncSession, clients: Iterable[Row[Any]], now: datetime) -> None:
    """The conversation row is the per-client lock; a client reminded before ever writing has none yet."""
    values = [{"business_id": c.business_id, "client_id": c.id, "state": {}, "handoff": False, "version": 0,
               "updated_at": now} for c in clients]
    if values:
        dialect = session.get_bind().dialect.name
        if dialect not in _START_CONVERSATIONS:
            _START_CONVERSATIONS[dialect] = insert_for(session, Conversation.__table__).on_conflict_do_nothing(
                index_elements=["client_id"])
        await session.execute(_START_CONVERSATIONS[dialect], values)


# Built once: for a batch that is one conversation's reply, building them cost more than running them.
_c = Client.__table__.c
_CLIENTS = select(_c.id, _c.business_id, _c.wa_id, _c.last_inbound_at, _c.erased_at).where(
    _c.id.in_(bindparam("ids", expanding=True)))
_LOCK_FREE = (select(Conversation.client_id).where(Conversation.client_id.in_(bindparam("ids", expanding=True)))
              .order_by(Conversation.client_id).with_for_update(skip_locked=True))
_START_CONVERSATIONS: dict[str, Any] = {}  # per dialect: ON CONFLICT is spelt per dialect
