"""What conversation turns read once they hold their conversation locks, in one query.

The client and the business come back as ORM objects (flows change the client), the unprocessed
messages as plain rows (a turn only reads them), and whether older replies are still on their way
(if none are, the turn's own replies can be sent the moment it commits). Run it after
lock_for_turns, in its own statement: a statement sees the database as it was when the statement
began, so one that also waited for the locks could miss the processed marks of the turn it waited for.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.messaging.outbox import UNFINISHED
from domain.models import Business, Client, InboundMessage, OutboundMessage

_inbound, _outbound = InboundMessage.__table__.c, OutboundMessage.__table__.c
_OUTBOX_BUSY = exists().where(_outbound.client_id == Client.id, _outbound.status.in_(UNFINISHED))
_LOAD = (
    select(Client, Business, _OUTBOX_BUSY.label("outbox_busy"),
           _inbound.id, _inbound.provider_message_id, _inbound.kind, _inbound.body, _inbound.payload)
    .join(Business, Business.id == Client.business_id)
    .outerjoin(InboundMessage.__table__, (_inbound.client_id == Client.id) & _inbound.processed_at.is_(None))
    .where(Client.id.in_(bindparam("client_ids", expanding=True)))
    .order_by(Client.id, _inbound.sent_at, _inbound.id)  # each client's in the order the client sent them
)


@dataclass(frozen=True)
class PendingMessage:
    id: int
    provider_message_id: str
    kind: str
    body: str | None
    payload: dict[str, Any]


@dataclass(frozen=True)
class TurnInputs:
    client: Client
    business: Business
    pending: list[PendingMessage]  # oldest first
    outbox_busy: bool  # rows queued or being sent before this turn: its replies wait behind them


async def load_turns(session: AsyncSession, client_ids: Sequence[int]) -> dict[int, TurnInputs]:
    """Each client's row, its business, its unprocessed messages and whether its outbox is busy, by
    client id; a client that does not exist is left out."""
    rows = (await session.execute(_LOAD, {"client_ids": list(client_ids)})).all()
    inputs: dict[int, TurnInputs] = {}
    for row in rows:
        client, business, outbox_busy = row[:3]
        if client.id not in inputs:
            inputs[client.id] = TurnInputs(client, business, [], outbox_busy)
        if row.id is not None:
            inputs[client.id].pending.append(PendingMessage(*row[3:]))
    return inputs
