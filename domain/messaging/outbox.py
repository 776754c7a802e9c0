"""The outbox and every change of its rows' status: queued → sending → sent → delivered → read, or
failed; back to queued for a retry or when a send ahead of it failed.

Replies are queued in the turn's transaction, then sent in order, one client at a time. This
module is the only one that writes a row's status. The statements are built once, with bound
parameters: building one per call cost more CPU than running it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import MessageStatusEvent, OutboundMessage
from domain.sql.arrays import unnest

UNFINISHED = ("queued", "sending")
FREE_FORM_KINDS = frozenset({"text", "buttons", "list"})
# A row in 'sending' is leased to the process sending it, which renews the lease while it lives
# (runtime.send_leases): one not renewed for this long was left by a process that died.
SENDING_STALE_AFTER = timedelta(seconds=8)
CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
CLAIM_LIMIT = 10  # rows of one client per claim
# A status only moves forward; 'played' (voice messages) means the same to us as 'read'.
RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4, "failed": 5}
_ALIASES = {"played": "read"}
_TIMESTAMP_COLUMN = {"delivered": "delivered_at", "read": "read_at", "failed": "failed_at", "sent": "sent_at"}


def inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    """Free-form messages are allowed only within 24 h of the client's last message; else templates."""
    return last_inbound_at is not None and now - last_inbound_at < CUSTOMER_SERVICE_WINDOW


@dataclass(frozen=True)
class OutgoingMessage:
    kind: str
    body: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class Sending:
    """A row claimed for sending."""

    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def first_status(send_now: bool) -> tuple[str, int]:
    """A new row's status and attempts: claimed already when its writer sends it itself."""
    return ("sending", 1) if send_now else ("queued", 0)


async def queue_messages(
    session: AsyncSession, business_id: int, client_id: int, messages: Sequence[OutgoingMessage], now: datetime
) -> None:
    """Add messages to a client's outbox, in order."""
    await queue_many(session, [(business_id, client_id, m) for m in messages], now)


async def queue_many(session: AsyncSession, items: Sequence[tuple[int, int, OutgoingMessage]], now: datetime) -> None:
    """Queue (business id, client id, message) items for many clients in one statement, in order."""
    if items:
        await session.execute(_QUEUE, [_new_row(b, c, m, False, now) for b, c, m in items])


async def queue_claimed(
    session: AsyncSession, business_id: int, client_id: int, messages: Sequence[OutgoingMessage], now: datetime
) -> list[Sending]:
    """Add messages to an idle outbox already claimed for sending, as a claim would mark them.

    Only for a caller that holds the conversation lock and knows the client has no unfinished
    rows: the turn that wrote them sends them as soon as it commits, with no claim of its own.
    """
    if not messages:
        return []
    rows = [_new_row(business_id, client_id, m, True, now) for m in messages]
    ids = (await session.execute(_QUEUE_CLAIMED, rows)).scalars().all()
    return [Sending(i, m.kind, m.payload, 1) for i, m in zip(ids, messages)]


def _new_row(business_id: int, client_id: int, m: OutgoingMessage, send_now: bool, now: datetime) -> dict[str, Any]:
    status, attempts = first_status(send_now)
    return {"business_id": business_id, "client_id": client_id, "kind": m.kind, "body": m.body, "payload": m.payload,
            "status": status, "attempts": attempts, "next_attempt_at": now, "created_at": now, "updated_at": now}


async def mark_sending(session: AsyncSession, rows: Sequence[Any], now: datetime) -> list[Sending]:
    """Claim picked rows (plain rows with id, kind, payload and attempts) in one statement."""
    if not rows:
        return []
    await session.execute(_MARK_SENDING, {"row_ids": [r.id for r in rows], "now": now})
    return [Sending(r.id, r.kind, r.payload, r.attempts + 1) for r in rows]


async def release(session: AsyncSession, rows: Sequence[Sending], now: datetime) -> None:
    """Put claimed rows that were never tried back in the queue (an earlier row must be retried first)."""
    if rows:
        await session.execute(_RELEASE, {"row_ids": [r.id for r in rows], "now": now})


async def renew_leases(session: AsyncSession, row_ids: Sequence[int], now: datetime) -> None:
    """The sending process still lives: its rows in 'sending' are not to be taken from it."""
    if row_ids:
        await session.execute(_RENEW, {"row_ids": list(row_ids), "now": now})


async def mark_retry(session: AsyncSession, row_id: int, error: str, when: datetime, now: datetime) -> None:
    await session.execute(update(_t).where(_t.c.id == row_id)
                          .values(status="queued", last_error=error, next_attempt_at=when, updated_at=now))


async def mark_failed(session: AsyncSession, row_ids: Sequence[int], error: str, now: datetime) -> None:
    if row_ids:
        await session.execute(_MARK_FAILED, {"row_ids": list(row_ids), "error": error, "now": now})


async def requeue(session: AsyncSession, business_id: int, row_id: int, now: datetime) -> bool:
    """Put a failed row back in the queue (the admin's retry button); False if not failed.

    Attempts start again from zero: the row gets the full set of retries, not one last try.
    """
    result = await session.execute(
        update(_t).where(_t.c.id == row_id, _t.c.business_id == business_id, _t.c.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=now, updated_at=now, failed_at=None))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def mark_sent(session: AsyncSession, sent: Sequence[tuple[int, int, str | None]], now: datetime) -> None:
    """Mark (business id, row id, provider message id) rows sent, and apply the statuses that arrived
    before their sends were answered (rare, but then already stored)."""
    if not sent:
        return
    if session.get_bind().dialect.name != "postgresql":
        await session.execute(_MARK_SENT, [{"row_id": r, "provider_id": p, "now": now} for _, r, p in sent])
        early = (await session.execute(_EARLY_STATUSES, {
            "business_ids": sorted({b for b, _, _ in sent}),
            "provider_ids": sorted({p for _, _, p in sent if p})})).all()
        wanted = {(b, p) for b, _, p in sent}
        early = [e for e in early if (e.business_id, e.provider_message_id) in wanted]  # each business its own
    else:  # one statement: the marks as a data-modifying CTE whose rows the early statuses join
        early = (await session.execute(_MARK_SENT_EARLY, {
            "sent_row_id": [r for _, r, _ in sent], "sent_provider_id": [p for _, _, p in sent], "now": now})).all()
    for event in early:
        await advance(session, event.business_id, event.provider_message_id, event.status, event.occurred_at, event.error)


async def advance(session: AsyncSession, business_id: int, provider_message_id: str, status: str,
                  occurred_at: datetime, error: dict[str, Any] | None) -> None:
    """A delivery status from the provider: the row moves forward to it, never back."""
    status = _ALIASES.get(status, status)
    if status not in RANK:
        return
    # A failure can only follow a message that never reached the phone.
    ceiling = RANK["delivered"] if status == "failed" else RANK[status]
    values: dict[str, Any] = {"status": status, _TIMESTAMP_COLUMN[status]: occurred_at}
    if error:
        values["last_error"] = f"{error.get('code')}: {error.get('title') or error.get('message')}"
    await session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.business_id == business_id, OutboundMessage.provider_message_id == provider_message_id,
               case(RANK, value=OutboundMessage.status, else_=0) < ceiling)
        .values(**values).execution_options(synchronize_session=False))


def queued_replies() -> Any:
    """PostgreSQL: an INSERT of reply rows from the array parameters reply_* (in their order), returning
    their ids, for a statement that ends many turns at once (domain.messaging.turn_end)."""
    o = _t.c
    now = bindparam("now", type_=o.created_at.type)
    replies = unnest({"business_id": o.business_id.type, "client_id": o.client_id.type, "kind": o.kind.type,
                      "body": o.body.type, "payload": o.payload.type, "status": o.status.type,
                      "attempts": o.attempts.type}, "reply_", ordinality="position")
    rows = select(replies.c.business_id, replies.c.client_id, replies.c.kind, replies.c.body, replies.c.payload,
                  replies.c.status, replies.c.attempts, now, now, now).order_by(replies.c.position)
    columns = ["business_id", "client_id", "kind", "body", "payload", "status", "attempts", "next_attempt_at",
               "created_at", "updated_at"]
    return insert(_t).from_select(columns, rows).returning(o.id)


def _mark_sent_early() -> Any:
    o, e = _t, MessageStatusEvent.__table__
    rows = unnest({"row_id": o.c.id.type, "provider_id": o.c.provider_message_id.type}, "sent_")
    now = bindparam("now", type_=o.c.sent_at.type)
    marked = (update(o).where(o.c.id == rows.c.row_id)
              .values(status="sent", provider_message_id=rows.c.provider_id, sent_at=now, updated_at=now, last_error=None)
              .returning(o.c.business_id, o.c.provider_message_id).cte("marked"))
    return (select(e.c.business_id, e.c.provider_message_id, e.c.status, e.c.occurred_at, e.c.error)
            .join_from(e, marked, (e.c.business_id == marked.c.business_id)
                       & (e.c.provider_message_id == marked.c.provider_message_id)))


_t = OutboundMessage.__table__
_ids = bindparam("row_ids", expanding=True)
_QUEUE = insert(_t)
_QUEUE_CLAIMED = insert(_t).returning(_t.c.id, sort_by_parameter_order=True)
_MARK_SENDING = (update(_t).where(_t.c.id.in_(_ids))
                 .values(status="sending", attempts=_t.c.attempts + 1, updated_at=bindparam("now")))
# Rows a record is writing right now are skipped, not waited for: waiting could deadlock with it, and
# once it commits they need no lease.
_RENEW = update(_t).where(_t.c.id.in_(
    select(_t.c.id).where(_t.c.id.in_(_ids), _t.c.status == "sending").with_for_update(skip_locked=True).scalar_subquery()
)).values(updated_at=bindparam("now"))
_RELEASE = (update(_t).where(_t.c.id.in_(_ids), _t.c.status == "sending")
            .values(status="queued", attempts=_t.c.attempts - 1, updated_at=bindparam("now")))
_MARK_FAILED = (update(_t).where(_t.c.id.in_(_ids))
                .values(status="failed", last_error=bindparam("error"), failed_at=bindparam("now"),
                        updated_at=bindparam("now")))
_MARK_SENT = (update(_t).where(_t.c.id == bindparam("row_id"))
              .values(status="sent", provider_message_id=bindparam("provider_id"), sent_at=bindparam("now"),
                      updated_at=bindparam("now"), last_error=None))
_MARK_SENT_EARLY = _mark_sent_early()
_events = MessageStatusEvent.__table__.c
_EARLY_STATUSES = select(_events.business_id, _events.provider_message_id, _events.status, _events.occurred_at,
                         _events.error).where(_events.business_id.in_(bindparam("business_ids", expanding=True)),
                                              _events.provider_message_id.in_(bindparam("provider_ids", expanding=True)))
