"""The outbox: replies queued in the turn's transaction, then sent in order, one client at a time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, Sequence, TypeVar

from sqlalchemy import Row, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import OutboundMessage

UNFINISHED = ("queued", "sending")
FREE_FORM_KINDS = frozenset({"text", "buttons", "list"})
# A row left in 'sending' this long was abandoned by a crashed worker.
SENDING_STALE_AFTER = timedelta(minutes=2)
CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
CLAIM_LIMIT = 10  # rows of one client per claim


def inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Free-form messages are allowed only within 24 h of the client's last message; else templates."""
    return last_inbound_at is not None and now - last_inbound_at < CUSTOMER_SERVICE_WINDOW


@dataclass(frozen=True)
class OutgoingMessage:
    kind: str
    body: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class RetryAt:
    """The next row must wait until `when` (backoff): later rows wait behind it."""

    when: datetime


async def queue_messages(
    session: AsyncSession, business_id: int, client_id: int, messages: Sequence[OutgoingMessage], now: datetime
) -> None:
    """Add messages to a client's outbox, in order."""
    await queue_many(session, [(business_id, client_id, m) for m in messages], now)


async def queue_many(session: AsyncSession, items: Sequence[tuple[int, int, OutgoingMessage]], now: datetime) -> None:
    """Queue (business id, client id, message) items for many clients in one statement, in order."""
    if items:
        await session.execute(_QUEUE, [  # Core: no ORM bookkeeping per row
            {"business_id": b, "client_id": c, "kind": m.kind, "body": m.body, "payload": m.payload, "status": "queued",
             "attempts": 0, "next_attempt_at": now, "created_at": now, "updated_at": now} for b, c, m in items])


async def queue_claimed(
    session: AsyncSession, business_id: int, client_id: int, messages: Sequence[OutgoingMessage], now: datetime
) -> list[Sending]:
    """Add messages to an idle outbox already claimed for sending, as claim_due would mark them.

    Only for a caller that holds the conversation lock and knows the client has no unfinished
    rows: the turn that wrote them sends them as soon as it commits, with no claim of its own.
    """
    if not messages:
        return []
    ids = (await session.execute(_QUEUE_CLAIMED, [
        {"business_id": business_id, "client_id": client_id, "kind": m.kind, "body": m.body, "payload": m.payload,
         "status": "sending", "attempts": 1, "next_attempt_at": now, "created_at": now, "updated_at": now}
        for m in messages])).scalars().all()
    return [Sending(i, m.kind, m.payload, 1) for i, m in zip(ids, messages)]


async def clients_with_queued(session: AsyncSession, client_ids: Sequence[int]) -> list[int]:
    """Of these clients, those with rows waiting in the queue (queued behind a send that just ended)."""
    if not client_ids:
        return []
    return list((await session.execute(_WITH_QUEUED, {"client_ids": list(client_ids)})).scalars().all())


async def claim_due(session: AsyncSession, client_id: int, now: datetime, limit: int = CLAIM_LIMIT) -> list[OutboundMessage] | RetryAt | None:
    """Take the client's oldest unfinished rows that are due, in order; the caller holds the conversation lock.

    Nothing is claimed while an older row is being sent by someone else or waits for a retry,
    so a client never receives replies out of order.
    """
    stmt = (
        select(OutboundMessage)
        .where(OutboundMessage.client_id == client_id, OutboundMessage.status.in_(UNFINISHED))
        .order_by(OutboundMessage.id)
        .limit(limit)
    )
    taken = take_due(list((await session.execute(stmt)).scalars().all()), now)
    if isinstance(taken, list):
        await session.flush()
    return taken


class Claimed(Protocol):
    """A row claimed for sending: the ORM row (one client's path) or a Sending (the batch path)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


class Unfinished(Protocol):
    """What picking the due rows reads of an unfinished outbox row (an ORM row or a Core one)."""

    id: int
    status: str
    next_attempt_at: datetime
    updated_at: datetime


U = TypeVar("U", bound=Unfinished)


@dataclass(frozen=True)
class Sending:
    """A row claimed for sending, as the batch path holds it (no ORM object per row)."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def pick_due(rows: Sequence[U], now: datetime) -> list[U] | RetryAt | None:
    """Of one client's unfinished rows (oldest first), the leading ones that are due now."""
    if not rows:
        return None
    first = rows[0]
    if first.status == "sending" and first.updated_at > now - SENDING_STALE_AFTER:
        return None
    if first.status == "queued" and first.next_attempt_at > now:
        return RetryAt(first.next_attempt_at)
    picked = [first]
    for row in rows[1:]:
        if row.status != "queued" or row.next_attempt_at > now:
            break
        picked.append(row)
    return picked


def take_due(rows: Sequence[OutboundMessage], now: datetime) -> list[OutboundMessage] | RetryAt | None:
    """pick_due, and mark the picked rows 'sending' (saved with the session)."""
    claimed = pick_due(rows, now)
    if isinstance(claimed, list):
        for row in claimed:
            row.status, row.attempts, row.updated_at = "sending", row.attempts + 1, now
    return claimed


async def unfinished_rows(session: AsyncSession, client_ids: Sequence[int]) -> Sequence[Row[Any]]:
    """The unfinished rows of many clients, by client and in order, as plain rows."""
    return (await session.execute(_UNFINISHED_ROWS, {"client_ids": list(client_ids)})).all()


async def mark_sending(session: AsyncSession, rows: Sequence[Row[Any]], now: datetime) -> list[Sending]:
    """take_due's marks for many clients' picked rows in one statement."""
    if not rows:
        return []
    await session.execute(_MARK_SENDING, {"row_ids": [r.id for r in rows], "now": now})
    return [Sending(r.id, r.kind, r.payload, r.attempts + 1) for r in rows]


async def release(session: AsyncSession, rows: Sequence[Claimed], now: datetime) -> None:
    """Put claimed rows that were never tried back in the queue (an earlier row must be retried first)."""
    if rows:  # ORM-enabled: the one-client path reclaims the same rows as objects in this session
        await session.execute(update(OutboundMessage).where(OutboundMessage.id.in_([r.id for r in rows]))
                              .values(status="queued", attempts=OutboundMessage.attempts - 1, updated_at=now))


async def mark_sent(session: AsyncSession, row_id: int, provider_message_id: str | None, now: datetime) -> None:
    values: dict[str, Any] = {"status": "sent", "provider_message_id": provider_message_id, "sent_at": now,
                              "updated_at": now, "last_error": None}
    await session.execute(update(OutboundMessage).where(OutboundMessage.id == row_id).values(**values))


async def mark_sent_many(session: AsyncSession, sent: Sequence[tuple[int, str | None]], now: datetime) -> None:
    """mark_sent for many rows in one executemany round trip (a Core statement: not an ORM bulk update)."""
    if sent:
        await session.execute(_MARK_SENT, [{"row_id": r, "provider_id": p, "now": now} for r, p in sent])


# The batch path's statements, built once: building an IN (…) or a VALUES clause on every call
# cost more CPU than running the statement when a batch is one conversation's reply.
_t = OutboundMessage.__table__
_QUEUE = insert(_t)
_QUEUE_CLAIMED = insert(_t).returning(_t.c.id, sort_by_parameter_order=True)
_WITH_QUEUED = (select(_t.c.client_id).distinct()
                .where(_t.c.client_id.in_(bindparam("client_ids", expanding=True)), _t.c.status == "queued"))
_UNFINISHED_ROWS = (
    select(_t.c.id, _t.c.client_id, _t.c.kind, _t.c.payload, _t.c.status, _t.c.attempts, _t.c.next_attempt_at,
           _t.c.updated_at)
    .where(_t.c.client_id.in_(bindparam("client_ids", expanding=True)), _t.c.status.in_(UNFINISHED))
    .order_by(_t.c.client_id, _t.c.id))
_MARK_SENDING = (update(_t).where(_t.c.id.in_(bindparam("row_ids", expanding=True)))
                 .values(status="sending", attempts=_t.c.attempts + 1, updated_at=bindparam("now")))
_MARK_SENT = (update(_t).where(_t.c.id == bindparam("row_id"))
              .values(status="sent", provider_message_id=bindparam("provider_id"), sent_at=bindparam("now"),
                      updated_at=bindparam("now"), last_error=None))


async def mark_retry(session: AsyncSession, row_id: int, error: str, when: datetime, now: datetime) -> None:
    await session.execute(
        update(OutboundMessage).where(OutboundMessage.id == row_id)
        .values(status="queued", last_error=error, next_attempt_at=when, updated_at=now)
    )


async def mark_failed(session: AsyncSession, row_id: int, error: str, now: datetime) -> None:
    await session.execute(
        update(OutboundMessage).where(OutboundMessage.id == row_id)
        .values(status="failed", last_error=error, failed_at=now, updated_at=now)
    )


async def requeue(session: AsyncSession, business_id: int, row_id: int, now: datetime) -> bool:
    """Put a failed row back in the queue (the admin's retry button); False if not failed.

    Attempts start again from zero: the row gets the full set of retries, not one last try.
    """
    result = await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == row_id, OutboundMessage.business_id == business_id, OutboundMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now, updated_at=now, failed_at=None)
    )
    return bool(result.rowcount)


async def clients_with_stale_outbox(session: AsyncSession, now: datetime, idle_for: timedelta, limit: int = 500) -> list[int]:
    """Clients with rows that should be moving but are not: due and idle, or abandoned mid-send."""
    stmt = (
        select(OutboundMessage.client_id)
        .where(
            or_(
                (OutboundMessage.status == "queued") & (OutboundMessage.next_attempt_at <= now)
                & (OutboundMessage.updated_at < now - idle_for),
                (OutboundMessage.status == "sending") & (OutboundMessage.updated_at < now - SENDING_STALE_AFTER),
            )
        )
        .distinct()
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())
