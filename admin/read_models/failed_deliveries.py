"""Outbox rows that failed for good: the list the admin sees, and the retry button."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.client_directory import display_name, visible
from domain.errors import NotFound
from domain.messaging import outbox
from domain.messaging.trainer_replies import OutsideWindow, Unreachable
from domain.models import Client, OutboundMessage

FAILED_PAGE = 50


@dataclass(frozen=True)
class FailedRow:
    id: int
    client_id: int
    recipient: str
    phone: str | None
    kind: str
    text: str | None
    error: str | None
    failed_at: datetime | None
    attempts: int


async def failed_rows(session: AsyncSession, business_id: int, staff_id: int | None, *, page: int = 1) -> tuple[list[FailedRow], int]:
    """Failed rows, newest failure first, and the total count."""
    filters = [*visible(business_id, staff_id), OutboundMessage.business_id == business_id,
               OutboundMessage.status == "failed"]
    base = select(OutboundMessage).join(Client, Client.id == OutboundMessage.client_id)
    total = (await session.execute(base.with_only_columns(func.count()).where(*filters))).scalar_one()
    stmt = (select(OutboundMessage.id, OutboundMessage.client_id, OutboundMessage.kind, OutboundMessage.body,
                   OutboundMessage.last_error, OutboundMessage.failed_at, OutboundMessage.attempts,
                   Client.profile_name, Client.phone_e164, Client.erased_at)
            .join(Client, Client.id == OutboundMessage.client_id).where(*filters)
            .order_by(OutboundMessage.failed_at.desc(), OutboundMessage.id.desc())
            .limit(FAILED_PAGE).offset((max(page, 1) - 1) * FAILED_PAGE))
    rows = [FailedRow(r.id, r.client_id, display_name(r), r.phone_e164, r.kind, r.body, r.last_error, r.failed_at,
                      r.attempts) for r in (await session.execute(stmt)).all()]
    return rows, total


async def retry(session: AsyncSession, business_id: int, staff_id: int | None, row_id: int, now: datetime) -> int:
    """Queue a failed row again with fresh attempts; returns its client's id for the delivery wake-up.

    NotFound for another business's row (or a row that is no longer failed); OutsideWindow for a
    free-form message the 24-hour rule no longer allows; Unreachable for an erased client.
    """
    stmt = (select(OutboundMessage, Client).join(Client, Client.id == OutboundMessage.client_id)
            .where(OutboundMessage.id == row_id, OutboundMessage.status == "failed", *visible(business_id, staff_id))
            .with_for_update(of=OutboundMessage))
    found = (await session.execute(stmt)).one_or_none()
    if found is None:
        raise NotFound(f"failed message {row_id} not found")
    row, client = found
    if client.erased_at is not None or not client.wa_id:
        raise Unreachable("this client cannot receive messages")
    if row.kind in outbox.FREE_FORM_KINDS and not outbox.inside_window(client.last_inbound_at, now):
        raise OutsideWindow("more than 24 hours since the client's last message: this message can no longer be sent")
    await outbox.requeue(session, business_id, row_id, now)
    return client.id
