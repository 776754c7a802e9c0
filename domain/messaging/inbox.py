"""The inbox: inbound messages stored idempotently before the webhook is acknowledged."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client, InboundMessage
from domain.people.phones import contact_key, phone_of_key
from domain.sql.arrays import unnest
from domain.sql.upsert import insert_for


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
    # contact_key parses the phone number, which is not cheap: once per message, not once per use.
    identified = [(m, key) for m in messages if (key := m.contact_key)]
    if not identified:
        return []
    clients = _client_rows(business_id, identified, now)
    inbox = [
        {
            "business_id": business_id,
            "contact_key": key,
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
    if statements.together is not None:
        parameters = _columns("client_", clients) | _columns("message_", inbox)
        new_for = (await session.execute(statements.together, parameters)).scalars().all()
    else:
        client_ids = {key: client_id for client_id, key in (await session.execute(statements.clients, clients)).all()}
        rows = [{k: v for k, v in row.items() if k != "contact_key"} | {"client_id": client_ids[row["contact_key"]]}
                for row in inbox]
        new_for = (await session.execute(statements.inbox, rows)).scalars().all()
    return sorted(set(new_for))


def _client_rows(business_id: int, messages: Sequence[tuple[IncomingMessage, str]], now: datetime) -> list[dict[str, Any]]:
    latest: dict[str, IncomingMessage] = {}
    for message, key in messages:  # one row per person: ON CONFLICT may touch a row only once
        if key not in latest or message.sent_at >= latest[key].sent_at:
            latest[key] = message
    return [
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


def _columns(prefix: str, rows: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Rows as one array per column, for PostgreSQL's unnest."""
    return {prefix + name: [row[name] for row in rows] for name in rows[0]}


@dataclass(frozen=True)
class _Statements:
    together: Any  # PostgreSQL: both upserts in one statement, the clients' as a data-modifying CTE
    clients: Any  # elsewhere: one statement each, from lists of rows
    inbox: Any


_STATEMENTS: dict[str, _Statements] = {}


def _statements(session: AsyncSession) -> _Statements:
    """The upserts, built once per dialect, with the rows passed as parameters.

    `insert().values(rows)` has no cache key, so SQLAlchemy compiled both statements on every
    webhook, a large part of its CPU (docs/performance.md); as parameters, the compiled form is
    cached.
    On PostgreSQL the rows go as arrays (domain.sql.arrays), and the messages join the clients the
    CTE returns, so a batch costs one round trip, not two.
    Elsewhere several rows still go out as one INSERT per table (SQLAlchemy's "insertmanyvalues").
    """
    dialect = session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        by_column = dialect == "postgresql"
        clients = _upsert_clients(_insert_rows(session, Client.__table__, _CLIENT_COLUMNS, "client_", by_column))
        inbound = InboundMessage.__table__
        if by_column:
            upserted = clients.cte("upserted")
            types = {n: c.type for n, c in inbound.c.items()} | {"contact_key": Client.__table__.c.contact_key.type}
            messages = unnest({n: types[n] for n in _MESSAGE_COLUMNS}, "message_")
            joined = (select(messages.c.business_id, upserted.c.id, *(messages.c[n] for n in _INBOX_COLUMNS[2:]))
                      .select_from(messages.join(upserted, upserted.c.contact_key == messages.c.contact_key)))
            together = _store(insert_for(session, inbound).from_select(list(_INBOX_COLUMNS), joined)).add_cte(upserted)
            _STATEMENTS[dialect] = _Statements(together=together, clients=None, inbox=None)
        else:
            _STATEMENTS[dialect] = _Statements(together=None, clients=clients, inbox=_store(insert_for(session, inbound)))
    return _STATEMENTS[dialect]


def _upsert_clients(insert: Any) -> Any:
    clients, excluded = Client.__table__.c, insert.excluded
    return insert.on_conflict_do_update(
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


def _store(insert: Any) -> Any:
    return insert.on_conflict_do_nothing(index_elements=["provider_message_id"]).returning(InboundMessage.__table__.c.client_id)


_CLIENT_COLUMNS = ("business_id", "contact_key", "wa_id", "phone_e164", "user_id", "profile_name", "opted_out",
                   "last_inbound_at", "created_at")
_INBOX_COLUMNS = ("business_id", "client_id", "provider_message_id", "kind", "body", "payload", "sent_at", "received_at")
# What a message row carries before it has its client's id: the person's key, joined to the upserted clients.
_MESSAGE_COLUMNS = ("business_id", "contact_key", *_INBOX_COLUMNS[2:])


def _insert_rows(session: AsyncSession, table: Table, columns: Sequence[str], prefix: str, by_column: bool) -> Any:
    """INSERT of `columns`, from rows (by_column False) or from one array per column through unnest."""
    insert = insert_for(session, table)
    if not by_column:
        return insert
    rows = unnest({n: table.c[n].type for n in columns}, prefix)
    return insert.from_select(list(columns), select(*(rows.c[name] for name in columns)))


async def clients_with_stale_pending(session: AsyncSession, received_before: datetime, limit: int = 500) -> list[int]:
    """Clients whose messages a crashed worker left unprocessed."""
    stmt = (
        select(InboundMessage.client_id)
        .where(InboundMessage.processed_at.is_(None), InboundMessage.received_at < received_before)
        .distinct()
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())
