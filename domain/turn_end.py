"""A turn's last writes: the conversation's new state, its messages marked processed, the client's language.

On PostgreSQL they go as one statement, the first two as data-modifying CTEs: one round trip where
a first contact took three. SQLite has no data-modifying CTEs, so there they go one by one.
Built once, with bound parameters: building a statement per turn cost more CPU than running it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import String, bindparam, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversation_store import LockedConversation
from domain.models import Client, Conversation, InboundMessage

_conversations, _inbound, _clients = Conversation.__table__, InboundMessage.__table__, Client.__table__
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
_TOGETHER = (_LOCALE.add_cte(_SAVE.returning(_conversations.c.id).cte("saved"))
             .add_cte(_DONE.returning(_inbound.c.id).cte("done")))


async def end_turn(session: AsyncSession, conversation: LockedConversation, state: dict[str, Any], handoff: bool,
                   processed: Sequence[int], client_id: int, locale: str | None, now: datetime) -> None:
    """Store the outcome of a turn on the conversation locked by lock_for_turn."""
    # No parameter is named after a column: an UPDATE given a value for a column it does not bind
    # would set that column from it.
    parameters = {"conversation_id": conversation.id, "new_state": state, "new_handoff": handoff,
                  "new_version": conversation.version + 1, "message_ids": list(processed), "turn_client_id": client_id,
                  "new_locale": locale, "now": now}
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(_TOGETHER, parameters)
        return
    for statement in (_SAVE, _DONE, _LOCALE):
        await session.execute(statement, parameters)
