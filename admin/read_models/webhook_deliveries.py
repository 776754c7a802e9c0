"""The Webhooks page's reads: a business's deliveries (by status, by endpoint) with their attempts, and counts."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import WebhookAttempt, WebhookDelivery

PAGE_SIZE = 100


async def of_business(session: AsyncSession, business_id: int, *, status: str | None = None, endpoint_id: int | None = None,
                      limit: int = PAGE_SIZE) -> list[tuple[WebhookDelivery, list[WebhookAttempt]]]:
    """The business's newest deliveries (by status, by endpoint) with their attempts, oldest attempt first."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.business_id == business_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    rows = list((await session.execute(stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                                       .limit(limit))).scalars().all())
    attempts = await _attempts(session, [d.id for d in rows])
    return [(d, attempts.get(d.id, [])) for d in rows]


async def _attempts(session: AsyncSession, delivery_ids: Sequence[int]) -> dict[int, list[WebhookAttempt]]:
    if not delivery_ids:
        return {}
    stmt = (select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(delivery_ids))
            .order_by(WebhookAttempt.delivery_id, WebhookAttempt.attempted_at, WebhookAttempt.id))
    found: dict[int, list[WebhookAttempt]] = {}
    for attempt in (await session.execute(stmt)).scalars().all():
        found.setdefault(attempt.delivery_id, []).append(attempt)
    return found


async def counts(session: AsyncSession, business_id: int) -> dict[str, int]:
    stmt = (select(WebhookDelivery.status, func.count()).where(WebhookDelivery.business_id == business_id)
            .group_by(WebhookDelivery.status))
    return {status: n for status, n in (await session.execute(stmt)).all()}
