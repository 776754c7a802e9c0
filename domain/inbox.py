"""The inbox: inbound messages stored idempotently before the webhook is acknowledged."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client, InboundMessage
from domain.phones import canonical_phone, contact_key
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
    new_for = (await session.execute(_statements(session).inbox, rows)).scalars().all()
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
            "phone_e164": canonical_phone(m.wa_id) if m.wa_id else None,
            "user_id": m.user_id,
            "profile_name": m.profile_name,
            "opted_out": False,
            "last_inbound_at": min(m.sent_at, now),
            "created_at": now,
        }
        for key, m in latest.items()
    ]
    return {key: client_id for client_id, key in (await session.execute(_statements(session).clients, rows)).all()}


@dataclass(frozen=True)
class _Statements:
    clients: Any
    inbox: Any


_STATEMENTS: dict[str, _Statements] = {}


def _statements(session: AsyncSession) -> _Statements:
    """The two upserts, built once per dialect, with the rows passed as parameters.

    `insert().values(rows)` has no cache key, so SQLAlchemy compiled both statements on every
    webhook (about half of the web process's CPU); as parameters, the compiled form is cached and
    several rows still go out as one INSERT (SQLAlchemy's "insertmanyvalues").
    """
    dialect = session.get_bind().dialect.name
    if dialect not in _STATEMENTS:
        clients, inbound = Client.__table__.c, InboundMessage.__table__.c
        upsert = insert_for(session, Client.__table__)
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
        store = insert_for(session, InboundMessage.__table__)
        store = store.on_conflict_do_nothing(index_elements=["provider_message_id"]).returning(inbound.client_id)
        _STATEMENTS[dialect] = _Statements(clients=upsert, inbox=store)
    return _STATEMENTS[dialect]


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
