"""Loading and locking a client's conversation: its row is the per-conversation lock.

Both locks are one upsert whose DO UPDATE changes no value: on an existing row it waits for and
takes the row lock as SELECT … FOR UPDATE would, on a new client it creates the row, and either
way RETURNING hands the row back, so a turn needs one round trip instead of two.
SQLite has no row locks: every transaction there already holds the write lock.

The statements are built once per dialect with bound parameters: building and cache-keying a
statement on every turn cost more CPU than running it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client, Conversation
from domain.sql.upsert import insert_for

_conversations = Conversation.__table__
_NEW_ROW = {"state": {}, "handoff": False, "version": 0}


@dataclass(frozen=True)
class LockedConversation:
    """The fields a turn reads from its conversation row (a plain row: no ORM object to track)."""

    id: int
    state: dict[str, Any]
    handoff: bool
    version: int


async def lock_conversation(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> Conversation:
    """Get (or start) the client's conversation, locked until the transaction ends."""
    stmt = _statements(session)["orm"]
    params = {"business_id": business_id, "client_id": client_id, "updated_at": now, **_NEW_ROW}
    # populate_existing: a Conversation already in this session is refreshed from the locked row.
    return (await session.scalars(stmt, params, execution_options={"populate_existing": True})).one()


async def lock_for_turns(session: AsyncSession, client_ids: Sequence[int], now: datetime) -> dict[int, LockedConversation]:
    """lock_conversation for clients known only by id, in id order (so two callers never deadlock),
    by client id; a client that does not exist is left out.

    Each row is started from the client's own row (INSERT … SELECT), so the client is read after
    the lock is held and a turn never decides on a client row another turn was changing.
    """
    rows = (await session.execute(_statements(session)["turn"], {"client_ids": sorted(client_ids), "now": now})).all()
    return {row.client_id: LockedConversation(row.id, row.state or {}, row.handoff, row.version) for row in rows}


_STATEMENTS: dict[str, dict[str, Any]] = {}


def _statements(session: AsyncSession) -> dict[str, Any]:
    """The two locking upserts for the session's dialect (ON CONFLICT is spelt per dialect)."""
    dialect = session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        c, clients = _conversations.c, Client.__table__.c
        from_client = select(clients.business_id, clients.id, *(literal(v, c[k].type) for k, v in _NEW_ROW.items()),
                             bindparam("now", type_=c.updated_at.type)
                             ).where(clients.id.in_(bindparam("client_ids", expanding=True))).order_by(clients.id)
        turn = insert_for(session, _conversations).from_select(
            ["business_id", "client_id", *_NEW_ROW, "updated_at"], from_client)
        _STATEMENTS[dialect] = {
            "orm": _locking(insert_for(session, Conversation)).returning(Conversation),
            "turn": _locking(turn).returning(c.id, c.client_id, c.state, c.handoff, c.version),
        }
    return _STATEMENTS[dialect]


def _locking(insert: Any) -> Any:
    # Setting version to its own value changes nothing, but makes PostgreSQL lock the existing row.
    return insert.on_conflict_do_update(index_elements=["client_id"], set_={"version": _conversations.c.version})
