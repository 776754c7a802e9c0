"""The Webhooks page's reads: a business's deliveries a page at a time (by status, by endpoint) with their attempts,
and counts."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import WebhookAttempt, WebhookDelivery

PAGE_SIZE = 50


@dataclass(frozen=True)
class DeliveryPage:
    """One page of deliveries, newest first (page 1), each with its attempts, oldest attempt first."""

    rows: list[tuple[WebhookDelivery, list[WebhookAttempt]]]
    page: int
    pages: int


async def of_business(session: AsyncSession, business_id: int, *, status: str | None = None, endpoint_id: int | None = None,
                      page: int = 1, total: int | None = None, page_size: int = PAGE_SIZE) -> DeliveryPage:
    """The business's deliveries (by status, by endpoint), page `page` of them; `total` (when the caller counted
    them already) saves a count. A page past the last shows the last."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.business_id == business_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == endpoint_id)
    if total is None:
        total = int(await session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = list((await session.execute(stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
                                       .limit(page_size).offset((page - 1) * page_size))).scalars().all())
    attempts = await _attempts(session, [d.id for d in rows])
    return DeliveryPage([(d, attempts.get(d.id, [])) for d in rows], page, pages)


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
