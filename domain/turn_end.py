"""A turn's last writes: its replies, the conversation's new state, its messages marked processed, the client's language.

On PostgreSQL they go as one statement of data-modifying CTEs, returning the replies' row ids: one
round trip where a first contact took four. SQLite has no data-modifying CTEs, so there they go
one by one. Built once, with bound parameters: building a statement per turn cost more CPU than
running it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import String, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import outbox
from domain.arrays import unnest
from domain.conversation_store import LockedConversation
from domain.models import Client, Conversation, InboundMessage, OutboundMessage


@dataclass(frozen=True)
class TurnEnd:
    """What a turn decided, to be stored on the conversation it locked."""

    state: dict[str, Any]
    handoff: bool
    processed: Sequence[int]  # the inbound message ids it handled
    locale: str | None
    replies: Sequence[outbox.OutgoingMessage]  # in the order they go out
    send_now: bool  # the replies are written claimed ('sending') for the turn to send itself


async def end_turn(session: AsyncSession, conversation: LockedConversation, business_id: int, client_id: int,
                   end: TurnEnd, now: datetime) -> list[outbox.Sending]:
    """Store the outcome of a turn; the replies' rows come back when the turn is to send them itself."""
    # No parameter is named after a column: an UPDATE given a value for a column it does not bind
    # would set that column from it.
    parameters = {"conversation_id": conversation.id, "new_state": end.state, "new_handoff": end.handoff,
                  "new_version": conversation.version + 1, "message_ids": list(end.processed),
                  "turn_client_id": client_id, "new_locale": end.locale, "now": now}
    if session.get_bind().dialect.name != "postgresql":
        return await _one_by_one(session, business_id, client_id, end, parameters, now)
    status, attempts = ("sending", 1) if end.send_now else ("queued", 0)
    ids = (await session.execute(_TOGETHER, parameters | {
        "reply_business_id": business_id, "reply_status": status, "reply_attempts": attempts,
        "reply_kind": [m.kind for m in end.replies], "reply_body": [m.body for m in end.replies],
        "reply_payload": [m.payload for m in end.replies]})).scalars().all()
    return _claimed(end, ids)


async def _one_by_one(session: AsyncSession, business_id: int, client_id: int, end: TurnEnd,
                      parameters: dict[str, Any], now: datetime) -> list[outbox.Sending]:
    if end.send_now:
        claimed = await outbox.queue_claimed(session, business_id, client_id, end.replies, now)
    else:
        await outbox.queue_messages(session, business_id, client_id, end.replies, now)
        claimed = []
    for statement in (_SAVE, _DONE, _LOCALE):
        await session.execute(statement, parameters)
    return claimed


def _claimed(end: TurnEnd, ids: Sequence[int]) -> list[outbox.Sending]:
    if not end.send_now:
        return []
    return [outbox.Sending(i, m.kind, m.payload, 1) for i, m in zip(ids, end.replies)]


_conversations, _inbound, _clients, _outbound = (Conversation.__table__, InboundMessage.__table__, Client.__table__,
                                                 OutboundMessage.__table__)
_SAVE = (update(_conversations).where(_conversations.c.id == bindparam("conversation_id"))
         .values(state=bindparam("new_state"), handoff=bindparam("new_handoff"), version=bindparam("new_version"),
                 updated_at=bindparam("now")))
_DONE = (update(_inbound).where(_inbound.c.id.in_(bindparam("message_ids", expanding=True)))
         .values(processed_at=bindparam("now")))
_locale = bindparam("new_locale", type_=String)
# Written only when the turn settled on a language the client did not have yet.
_LOCALE = (update(_clients).where(_clients.c.id == bindparam("turn_client_id"), _locale.is_not(None),
                                  _clients.c.locale.is_distinct_from(_locale))
           .values(locale=_locale))


def _queue_replies() -> Any:
    """INSERT of the replies, passed as one array per column, in their order (ids follow it)."""
    o = _outbound.c
    replies = unnest({"kind": o.kind.type, "body": o.body.type, "payload": o.payload.type}, "reply_", ordinality="position")
    now = bindparam("now", type_=o.created_at.type)
    rows = select(bindparam("reply_business_id", type_=o.business_id.type), bindparam("turn_client_id", type_=o.client_id.type),
                  replies.c.kind, replies.c.body, replies.c.payload, bindparam("reply_status", type_=o.status.type),
                  bindparam("reply_attempts", type_=o.attempts.type), now, now, now).order_by(replies.c.position)
    columns = ["business_id", "client_id", "kind", "body", "payload", "status", "attempts", "next_attempt_at",
               "created_at", "updated_at"]
    return insert(_outbound).from_select(columns, rows).returning(o.id)


_queued = _queue_replies().cte("queued")
_TOGETHER = (select(_queued.c.id).order_by(_queued.c.id)
             .add_cte(_SAVE.returning(_conversations.c.id).cte("saved"))
             .add_cte(_DONE.returning(_inbound.c.id).cte("done"))
             .add_cte(_LOCALE.returning(_clients.c.id).cte("language")))
