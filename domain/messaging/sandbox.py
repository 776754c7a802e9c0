"""What the sandbox channel 'sent': the outbox rows it accepted, for the simulator and tests."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Client, OutboundMessage
from domain.people.phones import canonical_phone


async def sent_to(session: AsyncSession, wa_id: str, after_id: int = 0) -> list[dict[str, Any]]:
    """Messages the sandbox accepted for a WhatsApp id (either Brazilian form), oldest first."""
    phone = canonical_phone(wa_id)
    stmt = (
        select(OutboundMessage, Client.wa_id)
        .join(Client, Client.id == OutboundMessage.client_id)
        .where(
            or_(Client.wa_id == wa_id, Client.phone_e164 == phone) if phone else Client.wa_id == wa_id,
            OutboundMessage.provider_message_id.like("sandbox.%"),
            OutboundMessage.kind != "read",
            OutboundMessage.id > after_id,
        )
        .order_by(OutboundMessage.id)
    )
    return [
        {"id": row.id, "to": to, "kind": row.kind, "body": row.body, "payload": row.payload, "status": row.status,
         "business_id": row.business_id, "sent_at": row.sent_at.isoformat() if row.sent_at else None}
        for row, to in (await session.execute(stmt)).all()
    ]
