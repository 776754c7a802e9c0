"""The inbox: inbound messages stored idempotently before the webhook is acknowledged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Table, bindparam, case, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client, InboundMessage
from domain.phones import contact_key, phone_of_key
from domain.upsert import insert_for


@dataclass(frozen=True)
class IncomingMessage:
    """A message as the channel reported it, with no WhatsApp types left in it."""

    provider_message_id: str
    wa_id: str | None
    user_id: str | None
    profile_name: str | None
    kind: str
    body: str | None
    payload: dict[str, Any]
    sent_at: datetime

    @property
    def contact_key(self) -> str | None:
        return contact_key(self.wa_id, self.user_id)


async def record_inbound(
    session: AsyncSession, business_id: int, messages: Sequence[IncomingMessage], now: datetime
) -> list[int]:
    """Store new messages (duplicates ignored); return the ids of clients that got new ones."""
    # contact_key parses the phone number (~50 µs each): once per message, not once per use.
    identified = [(m, key) for m in messages if (key := m.contact_key)]
    if not identified:
        return []
    client_ids = await _upsert_clients(session, business_id, identified, now)
    rows = [
        {
            "business_id": business_id,
            "client_id": client_ids[key],
            "provider_message_id": m.provider_message_id,
            "kind": m.kind,
            "body": m.body,
            "payload": m.payload,
            "sent_at": min(m.sent_at, now),
            "received_at": now,
        }
        for m, key in identified
    ]
    statements = _statements(session)
    new_for = (await session.execute(statements.inbox, statements.parameters(rows))).scalars().all()
    return sorted(set(new_for))


async def _upsert_clients(
    session: AsyncSession, business_id: int, messages: Sequence[tuple[IncomingMessage, str]], now: datetime
) -> dict[str, int]:
    latest: dict[str, IncomingMessage] = {}
    for message, key in messages:  # one row per person: ON CONFLICT may touch a row only once
        if key not in latest or message.sent_at >= latest[key].sent_at:
            latest[key] = message
    rows = [
        {
            "business_id": business_id,
            "contact_key": key,
            "wa_id": m.wa_id,
            "phone_e164": phone_of_key(key),
            "user_id": m.user_id,
            "profile_name": m.profile_name,
            "opted_out": False,
            "last_inbound_at": min(m.sent_at, now),
            "created_at": now,
        }
        for key, m in latest.items()
    ]
    statements = _statements(session)
    return {key: client_id for client_id, key in (await session.execute(statements.clients, statements.parameters(rows))).all()}


@dataclass(frozen=True)
class _Statements:
    clients: Any
    inbox: Any
    by_column: bool  # the rows go as one array per column (PostgreSQL's unnest), not as a list of rows

    def parameters(self, rows: list[dict[str, Any]]) -> Any:
        return {name: [row[name] for row in rows] for name in rows[0]} if self.by_column else rows


_STATEMENTS: dict[str, _Statements] = {}


def _statements(session: AsyncSession) -> _Statements:
    """The two upserts, built once per dialect, with the rows passed as parameters.

    `insert().values(rows)` has no cache key, so SQLAlchemy compiled both statements on every
    webhook (about half of the web process's CPU); as parameters, the compiled form is cached.
    On PostgreSQL the rows go as arrays through `unnest`: one statement text for any number of
    rows, where a multi-row VALUES has one text (and one server-side prepare) per batch size.
    Elsewhere several rows still go out as one INSERT (SQLAlchemy's "insertmanyvalues").
    """
    dialect = session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        clients, inbound = Client.__table__.c, InboundMessage.__table__.c
        by_column = dialect == "postgresql"
        upsert = _insert_rows(session, Client.__table__, _CLIENT_COLUMNS, by_column)
        excluded = upsert.excluded
        upsert = upsert.on_conflict_do_update(
            index_elements=["business_id", "contact_key"],
            set_={
                "wa_id": excluded.wa_id,
                "user_id": case((excluded.user_id.is_(None), clients.user_id), else_=excluded.user_id),
                # A name the business already has (typed by the trainer, or asked in the chat) wins over WhatsApp's.
                "profile_name": func.coalesce(clients.profile_name, excluded.profile_name),
                "last_inbound_at": case(
                    (clients.last_inbound_at.is_(None) | (excluded.last_inbound_at > clients.last_inbound_at),
                     excluded.last_inbound_at),
                    else_=clients.last_inbound_at,
                ),
            },
        ).returning(clients.id, clients.contact_key)
        store = _insert_rows(session, InboundMessage.__table__, _INBOX_COLUMNS, by_column)
        store = store.on_conflict_do_nothing(index_elements=["provider_message_id"]).returning(inbound.client_id)
        _STATEMENTS[dialect] = _Statements(clients=upsert, inbox=store, by_column=by_column)
    return _STATEMENTS[dialect]


_CLIENT_COLUMNS = ("business_id", "contact_key", "wa_id", "phone_e164", "user_id", "profile_name", "opted_out",
                   "last_inbound_at", "created_at")
_INBOX_COLUMNS = ("business_id", "client_id", "provider_message_id", "kind", "body", "payload", "sent_at", "received_at")


def _insert_rows(session: AsyncSession, table: Table, columns: Sequence[str], by_column: bool) -> Any:
    """INSERT of `columns`, from rows (by_column False) or from one array per column through unnest."""
    insert = insert_for(session, table)
    if not by_column:
        return insert
    rows = func.unnest(*(bindparam(name, type_=ARRAY(table.c[name].type)) for name in columns)).table_valued(*columns).render_derived()
    return insert.from_select(list(columns), select(*(rows.c[name] for name in columns)))


_mark_processed = update(InboundMessage.__table__).where(
    InboundMessage.__table__.c.id.in_(bindparam("message_ids", expanding=True)))


async def mark_processed(session: AsyncSession, message_ids: Sequence[int], now: datetime) -> None:
    # Core and built once: nothing in the session needs syncing, and the ORM's
    # "synchronize_session" pass and building the statement cost more CPU than running it.
    await session.execute(_mark_processed, {"message_ids": list(message_ids), "processed_at": now})


async def clients_with_stale_pending(session: AsyncSession, received_before: datetime, limit: int = 500) -> list[int]:
    """Clients whose messages a crashed worker left unprocessed."""
    stmt = (
        select(InboundMessage.client_id)
        .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at < received_before)
        .distinct()
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())
