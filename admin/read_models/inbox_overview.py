"""The admin inbox: conversations waiting for a human first, then the most recent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.client_directory import display_name, visible
from domain.models import Client, Conversation, InboundMessage

INBOX_PAGE = 30


@dataclass(frozen=True)
class InboxRow:
    client_id: int
    name: str
    phone: str | None
    handoff: bool
    last_message: str | None
    last_inbound_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    page: int
    pages: int
    waiting: int


async def inbox(session: AsyncSession, business_id: int, staff_id: int | None, *, page: int = 1) -> InboxPage:
    """One page of conversations (erased clients left out), in three queries."""
    filters = [*visible(business_id, staff_id), Client.erased_at.is_(None)]
    counts = (select(func.count(), func.count().filter(Conversation.handoff.is_(True)))
              .select_from(Conversation).join(Client, Client.id == Conversation.client_id).where(*filters))
    total, waiting = (await session.execute(counts)).one()
    pages = max(1, -(-total // INBOX_PAGE))
    page = min(max(page, 1), pages)
    # The client's newest words, for the preview: correlated, so only the page's rows pay for it.
    last_text = (select(InboundMessage.body).where(InboundMessage.client_id == Client.id)
                 .order_by(InboundMessage.sent_at.desc(), InboundMessage.id.desc()).limit(1)
                 .correlate(Client).scalar_subquery())
    stmt = (select(Client.id, Client.profile_name, Client.phone_e164, Client.erased_at, Client.last_inbound_at,
                   Conversation.handoff, Conversation.updated_at, last_text.label("last_text"))
            .join(Client, Client.id == Conversation.client_id)
            .where(*filters)
            .order_by(Conversation.handoff.desc(), Conversation.updated_at.desc(), Conversation.id.desc())
            .limit(INBOX_PAGE).offset((page - 1) * INBOX_PAGE))
    rows = [InboxRow(r.id, display_name(r), r.phone_e164, r.handoff, r.last_text, r.last_inbound_at, r.updated_at)
            for r in (await session.execute(stmt)).all()]
    return InboxPage(rows, page, pages, waiting)
