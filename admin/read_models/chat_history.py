"""A client's conversation as the trainer reads it: inbound and outbound messages in one timeline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import InboundMessage, OutboundMessage

HISTORY_LIMIT = 200


@dataclass(frozen=True)
class ChatLine:
    at: datetime
    direction: str  # "in" (the client) | "out" (the bot or a trainer)
    kind: str
    text: str
    status: str | None = None  # for "out": queued | sending | sent | delivered | read | failed
    error: str | None = None


async def chat_history(session: AsyncSession, business_id: int, client_id: int,
                       limit: int = HISTORY_LIMIT) -> list[ChatLine]:
    """The newest `limit` messages, oldest first; read receipts are left out."""
    inbound = (select(InboundMessage.sent_at, InboundMessage.kind, InboundMessage.body)
               .where(InboundMessage.business_id == business_id, InboundMessage.client_id == client_id)
               .order_by(InboundMessage.sent_at.desc(), InboundMessage.id.desc()).limit(limit))
    outbound = (select(OutboundMessage.created_at, OutboundMessage.kind, OutboundMessage.body, OutboundMessage.status,
                       OutboundMessage.last_error)
                .where(OutboundMessage.business_id == business_id, OutboundMessage.client_id == client_id,
                       OutboundMessage.kind != "read")
                .order_by(OutboundMessage.id.desc()).limit(limit))
    # Fetched newest first (for the limit), turned back to oldest first so equal times keep their order.
    lines = [ChatLine(r.sent_at, "in", r.kind, r.body if r.body is not None else f"[{r.kind}]")
             for r in reversed((await session.execute(inbound)).all())]
    lines += [ChatLine(r.created_at, "out", r.kind, r.body if r.body is not None else f"[{r.kind}]", r.status,
                       r.last_error if r.status == "failed" else None)
              for r in reversed((await session.execute(outbound)).all())]
    # Replies are created in the same instant as the message they answer: the client's line goes first.
    lines.sort(key=lambda line: (line.at, line.direction == "out"))
    return lines[-limit:]
