"""Claiming clients' due outbox rows for sending: in order, one sender per client, within WhatsApp's rules.

Nothing is claimed while an older row of the client is being sent by someone else or waits for a
retry, so a client never receives messages out of order. The conversation row is the per-client
lock. Plain rows, not ORM objects: building a hundred clients and their rows as objects was the
biggest single cost of a batch.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging import outbox
from domain.models import Business, Client, Conversation, OutboundMessage
from domain.people import privacy
from domain.people.businesses import by_ids
from domain.sql.upsert import insert_for

OUTSIDE_WINDOW = "outside_24h_window: only templates may be sent"


@dataclass
class Claim:
    """One client's rows, claimed for sending, in the order they go out."""

    client_id: int
    wa_id: str
    business: Business
    rows: list[outbox.Sending]
    erased: bool = False  # the client asked to be forgotten: their number goes once these have left


@dataclass
class Claimed:
    claims: list[Claim] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)  # another sender holds these clients' conversations
    retry_at: dict[int, datetime] = field(default_factory=dict)  # their next row waits for a backoff


async def claim_due(session: AsyncSession, client_ids: Sequence[int], now: datetime, *, wait: bool = False) -> Claimed:
    """Claim every due row of these clients (up to CLAIM_LIMIT each); skip those whose conversation
    another sender holds, or wait for it with `wait`. A free-form row that the 24-hour window no
    longer allows fails here, before any call: Meta would refuse it and count it against the number."""
    ids = sorted(set(client_ids))
    clients = {r.id: r for r in (await session.execute(_CLIENTS, {"ids": ids})).all()}
    await _start_conversations(session, clients.values(), now)
    lock = _WAIT_FOR_LOCKS if wait else _LOCK_FREE
    held = set((await session.execute(lock, {"ids": sorted(clients)})).scalars().all())
    result = Claimed(locked=[i for i in clients if i not in held])
    rows: dict[int, list[Row[Any]]] = {}
    for row in (await session.execute(_UNFINISHED_ROWS, {"client_ids": sorted(held)})).all():
        rows.setdefault(row.client_id, []).append(row)
    picked: dict[int, list[Row[Any]]] = {}
    refused: list[int] = []
    for client_id in sorted(held):
        client = clients[client_id]
        due = pick_due(rows.get(client_id, [])[:outbox.CLAIM_LIMIT], now)
        if isinstance(due, datetime):
            result.retry_at[client_id] = due
        elif due is None and client.erased_at is not None:
            await privacy.forget_address_if_erased(session, client_id)
        elif due:
            window_open = outbox.inside_window(client.last_inbound_at, now)
            refused += [r.id for r in due if r.kind in outbox.FREE_FORM_KINDS and not window_open]
            picked[client_id] = [r for r in due if r.kind not in outbox.FREE_FORM_KINDS or window_open]
    await outbox.mark_failed(session, refused, OUTSIDE_WINDOW, now)
    sending = iter(await outbox.mark_sending(session, [r for due in picked.values() for r in due], now))
    businesses = await by_ids(session, (clients[i].business_id for i in picked))
    result.claims = [Claim(i, clients[i].wa_id or "", businesses[clients[i].business_id], [next(sending) for _ in due],
                           clients[i].erased_at is not None) for i, due in picked.items() if due]
    return result


R = TypeVar("R", bound=Any)


def pick_due(rows: Sequence[R], now: datetime) -> list[R] | datetime | None:
    """Of one client's unfinished rows (oldest first), the leading ones that are due now; when the
    first waits for a retry, its time; None when someone else is sending the first."""
    if not rows:
        return None
    first = rows[0]
    if first.status == "sending" and first.updated_at > now - outbox.SENDING_STALE_AFTER:
        return None
    if first.status == "queued" and first.next_attempt_at > now:
        return first.next_attempt_at  # type: ignore[no-any-return]
    picked = [first]
    for row in rows[1:]:
        if not _due(row, now):
            break
        picked.append(row)
    return picked


def _due(row: Any, now: datetime) -> bool:
    """Queued and due, or left 'sending' by a sender whose lease ran out."""
    if row.status == "sending":
        return row.updated_at <= now - outbox.SENDING_STALE_AFTER  # type: ignore[no-any-return]
    return row.next_attempt_at <= now  # type: ignore[no-any-return]


async def clients_with_queued(session: AsyncSession, client_ids: Sequence[int]) -> list[int]:
    """Of these clients, those with rows waiting in the queue (queued behind a send that just ended)."""
    if not client_ids:
        return []
    return list((await session.execute(_WITH_QUEUED, {"client_ids": list(client_ids)})).scalars().all())


async def clients_with_stale_outbox(session: AsyncSession, now: datetime, idle_for: timedelta, limit: int = 500) -> list[int]:
    """Clients with rows that should be moving but are not: due and idle, or abandoned mid-send."""
    o = OutboundMessage
    stmt = (select(o.client_id).distinct().limit(limit).where(or_(
        (o.status == "queued") & (o.next_attempt_at <= now) & (o.updated_at < now - idle_for),
        (o.status == "sending") & (o.updated_at < now - outbox.SENDING_STALE_AFTER))))
    return list((await session.execute(stmt)).scalars().all())


async def _start_conversations(session: AsyncSession, clients: Iterable[Row[Any]], now: datetime) -> None:
    """The conversation row is the per-client lock; a client reminded before ever writing has none yet."""
    values = [{"business_id": c.business_id, "client_id": c.id, "state": {}, "handoff": False, "version": 0,
               "updated_at": now} for c in clients]
    if values:
        dialect = session.get_bind().dialect.name
        if dialect not in _START_CONVERSATIONS:
            _START_CONVERSATIONS[dialect] = insert_for(session, Conversation.__table__).on_conflict_do_nothing(
                index_elements=["client_id"])
        await session.execute(_START_CONVERSATIONS[dialect], values)


_c, _o = Client.__table__.c, OutboundMessage.__table__.c
_CLIENTS = select(_c.id, _c.business_id, _c.wa_id, _c.last_inbound_at, _c.erased_at).where(
    _c.id.in_(bindparam("ids", expanding=True)))
_LOCKS = (select(Conversation.client_id).where(Conversation.client_id.in_(bindparam("ids", expanding=True)))
          .order_by(Conversation.client_id))
_LOCK_FREE = _LOCKS.with_for_update(skip_locked=True)
_WAIT_FOR_LOCKS = _LOCKS.with_for_update()  # in client id order, like every other locker: no deadlock
_UNFINISHED_ROWS = (
    select(_o.id, _o.client_id, _o.kind, _o.payload, _o.status, _o.attempts, _o.next_attempt_at, _o.updated_at)
    .where(_o.client_id.in_(bindparam("client_ids", expanding=True)), _o.status.in_(outbox.UNFINISHED))
    .order_by(_o.client_id, _o.id))
_WITH_QUEUED = (select(_o.client_id).distinct()
                .where(_o.client_id.in_(bindparam("client_ids", expanding=True)), _o.status == "queued"))
_START_CONVERSATIONS: dict[str, Any] = {}  # per dialect: ON CONFLICT is spelt per dialect
