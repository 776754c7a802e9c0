"""Turns' last writes: their replies, the conversations' new states, their messages marked processed, the clients' languages.

On PostgreSQL the turns of one transaction end in one statement of data-modifying CTEs over array
parameters, returning the replies' row ids: one round trip for a group of turns where each turn
took one (and a first contact four before that). SQLite has no data-modifying CTEs, so there they
go one by one. Built once, with bound parameters: building a statement per turn cost more CPU than
running it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, any_, bindparam, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging import outbox
from domain.messaging.conversation_store import LockedConversation
from domain.models import Client, Conversation, InboundMessage
from domain.sql.arrays import unnest


@dataclass(frozen=True)
class TurnEnd:
    """What a turn decided, to be stored on the conversation it locked."""

    conversation: LockedConversation
    business_id: int
    client_id: int
    state: dict[str, Any]
    handoff: bool
    processed: Sequence[int]  # the inbound message ids it handled
    locale: str | None
    replies: Sequence[outbox.OutgoingMessage]  # in the order they go out
    send_now: bool  # the replies are written claimed ('sending') for the turn to send itself


async def end_turns(session: AsyncSession, ends: Sequence[TurnEnd], now: datetime) -> list[list[outbox.Sending]]:
    """Store the outcomes of turns on their locked conversations; for each, its replies' rows when
    the turn is to send them itself (else none)."""
    if not ends:
        return []
    if session.get_bind().dialect.name != "postgresql":
        return [await _one_by_one(session, end, now) for end in ends]
    replies = [(end, m) for end in ends for m in end.replies]
    ids = iter((await session.execute(_TOGETHER, {
        "end_conversation_id": [e.conversation.id for e in ends], "end_state": [e.state for e in ends],
        "end_handoff": [e.handoff for e in ends], "end_version": [e.conversation.version + 1 for e in ends],
        "end_client_id": [e.client_id for e in ends], "end_locale": [e.locale for e in ends],
        "message_ids": [i for e in ends for i in e.processed], "now": now,
        "reply_business_id": [e.business_id for e, _ in replies], "reply_client_id": [e.client_id for e, _ in replies],
        "reply_status": [outbox.first_status(e.send_now)[0] for e, _ in replies],
        "reply_attempts": [outbox.first_status(e.send_now)[1] for e, _ in replies],
        "reply_kind": [m.kind for _, m in replies], "reply_body": [m.body for _, m in replies],
        "reply_payload": [m.payload for _, m in replies]})).scalars().all())
    return [_claimed(end, [next(ids) for _ in end.replies]) for end in ends]  # ids come in reply order


async def _one_by_one(session: AsyncSession, end: TurnEnd, now: datetime) -> list[outbox.Sending]:
    if end.send_now:
        claimed = await outbox.queue_claimed(session, end.business_id, end.client_id, end.replies, now)
    else:
        await outbox.queue_messages(session, end.business_id, end.client_id, end.replies, now)
        claimed = []
    # No parameter is named after a column: an UPDATE given a value for a column it does not bind
    # would set that column from it.
    parameters = {"conversation_id": end.conversation.id, "new_state": end.state, "new_handoff": end.handoff,
                  "new_version": end.conversation.version + 1, "message_ids": list(end.processed),
                  "turn_client_id": end.client_id, "new_locale": end.locale, "now": now}
    for statement in (_SAVE, _DONE, _LOCALE):
        await session.execute(statement, parameters)
    return claimed


def _claimed(end: TurnEnd, ids: Sequence[int]) -> list[outbox.Sending]:
    if not end.send_now:
        return []
    return [outbox.Sending(i, m.kind, m.payload, 1) for i, m in zip(ids, end.replies)]


_conversations, _inbound, _clients = Conversation.__table__, InboundMessage.__table__, Client.__table__
# SQLite, a turn at a time.
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


def _together() -> Any:
    """PostgreSQL, a group of turns at once: one row per turn, one per processed message, one per reply."""
    c, i, cl = _conversations.c, _inbound.c, _clients.c
    now = bindparam("now", type_=c.updated_at.type)
    ends = select(unnest({"conversation_id": c.id.type, "state": c.state.type, "handoff": c.handoff.type,
                          "version": c.version.type, "client_id": cl.id.type, "locale": cl.locale.type}, "end_")).cte("ends")
    saved = (update(_conversations).where(c.id == ends.c.conversation_id)
             .values(state=ends.c.state, handoff=ends.c.handoff, version=ends.c.version, updated_at=now)
             .returning(c.id).cte("saved"))
    message_ids = any_(bindparam("message_ids", type_=ARRAY(i.id.type)))
    done = update(_inbound).where(i.id == message_ids).values(processed_at=now).returning(i.id).cte("done")
    language = (update(_clients).where(cl.id == ends.c.client_id, ends.c.locale.is_not(None),
                                       cl.locale.is_distinct_from(ends.c.locale))
                .values(locale=ends.c.locale).returning(cl.id).cte("language"))
    queued = outbox.queued_replies().cte("queued")
    return select(queued.c.id).order_by(queued.c.id).add_cte(saved).add_cte(done).add_cte(language)


_TOGETHER = _together()
