"""A client's conversation as the trainer reads it: inbound and outbound messages in one timeline."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.template_catalogue import template_text
from domain.models import Business, InboundMessage, OutboundMessage

HISTORY_LIMIT = 200
# How older rows stored a template message: "[template team_booked] Pilates | ter 24/11 às 07:00 | Ana".
STORED_TEMPLATE = re.compile(r"^\[template ([^\]\s]+)\] ?(.*)$", re.DOTALL)


@dataclass(frozen=True)
class ChatLine:
    at: datetime
    direction: str  # "in" (the client) | "out" (the bot or a trainer)
    kind: str
    text: str
    status: str | None = None  # for "out": queued | sending | sent | delivered | read | failed
    error: str | None = None
    template: str | None = None  # the approved template's name, for a template message


async def chat_history(session: AsyncSession, business_id: int, client_id: int,
                       limit: int = HISTORY_LIMIT) -> list[ChatLine]:
    """The newest `limit` messages, oldest first; read receipts are left out."""
    inbound = (select(InboundMessage.sent_at, InboundMessage.kind, InboundMessage.body)
               .where(InboundMessage.business_id == business_id, InboundMessage.client_id == client_id)
               .order_by(InboundMessage.sent_at.desc(), InboundMessage.id.desc()).limit(limit))
    outbound = (select(OutboundMessage.created_at, OutboundMessage.kind, OutboundMessage.body, OutboundMessage.status,
                       OutboundMessage.last_error, OutboundMessage.payload)
                .where(OutboundMessage.business_id == business_id, OutboundMessage.client_id == client_id,
                       OutboundMessage.kind != "read")
                .order_by(OutboundMessage.id.desc()).limit(limit))
    # Fetched newest first (for the limit), turned back to oldest first so equal times keep their order.
    lines = [ChatLine(r.sent_at, "in", r.kind, r.body if r.body is not None else f"[{r.kind}]")
             for r in reversed((await session.execute(inbound)).all())]
    sent = list(reversed((await session.execute(outbound)).all()))
    business = await session.get(Business, business_id) if any(r.kind == "template" for r in sent) else None
    lines += [ChatLine(r.created_at, "out", r.kind, r.body if r.body is not None else f"[{r.kind}]", r.status,
                       r.last_error if r.status == "failed" else None)
              if business is None or r.kind != "template" else _template_line(r, business)
              for r in sent]
    # Replies are created in the same instant as the message they answer: the client's line goes first.
    lines.sort(key=lambda line: (line.at, line.direction == "out"))
    return lines[-limit:]


def _template_line(row: Any, business: Business) -> ChatLine:
    """A template message as the client read it, in the business's suggested wording with its values filled in."""
    name, parameters, language = _template_of(row.payload or {}, row.body or "")
    text = template_text(name, parameters, language, reminder_template=business.reminder_template,
                         fallback_locale=business.locale) if name else None
    if text is None:  # a template FitZap does not word itself (a campaign's, a trainer's pick): its name and values
        text = f"{name}: " + " · ".join(parameters) if parameters else (name or row.body or "[template]")
    return ChatLine(row.created_at, "out", row.kind, text, row.status, row.last_error if row.status == "failed" else None,
                    template=name or None)


def _template_of(payload: Mapping[str, Any], body: str) -> tuple[str, Sequence[str], str | None]:
    """Name, values and language of a stored template message: from its payload, else from its older one-line form."""
    name, parameters = payload.get("name"), payload.get("parameters")
    found = STORED_TEMPLATE.match(body)
    if not name and found:
        name = found.group(1)
    if parameters is None:
        parameters = found.group(2).split(" | ") if found and found.group(2) else []
    return str(name or ""), [str(p) for p in parameters], payload.get("language")
