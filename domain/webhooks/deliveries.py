"""Deliveries as due rows: claimed with SKIP LOCKED under a short lease, each attempt recorded, tried again with
exponential backoff (with jitter, capped) until delivered or a day after the event (failed)."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from domain.webhooks import endpoints
from domain.webhooks.events import payload

GIVE_UP_AFTER = timedelta(hours=24)
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
# A claimed row is someone's for this long: a worker that dies mid-send leaves it due again after it.
LEASE = timedelta(seconds=60)
STATUSES = ("pending", "delivered", "failed")
# How long deliveries (and their attempts) stay listed: then a periodic clean-up deletes them, a batch at a time.
KEEP_FOR = timedelta(days=30)
FORGET_BATCH = 1000
TEST_EVENT = "webhook.test"


@dataclass(frozen=True)
class Claim:
    """A delivery to send now: where, what and with which (sealed) secret."""

    delivery_id: int
    url: str
    secret_sealed: str
    event_type: str
    payload: dict[str, Any]


class NotRetryable(DomainError):
    """Only a failed delivery can be sent again by hand."""

    code = "not_retryable"


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Wait after the `attempts`-th failure: 30 s doubling to an hour at most, each ±20% so retries spread out."""
    base = min(FIRST_BACKOFF * (2 ** max(0, attempts - 1)), MAX_BACKOFF)
    return base * (rng or random).uniform(0.8, 1.2)


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[Claim]:
    """Pending deliveries due now, leased to the caller; those of a deactivated endpoint fail instead."""
    stmt = (select(WebhookDelivery, WebhookEndpoint)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at).limit(limit)
            .with_for_update(of=WebhookDelivery, skip_locked=True))
    claims = []
    for delivery, endpoint in (await session.execute(stmt)).all():
        if not endpoint.active and delivery.event_type != TEST_EVENT:
            delivery.status, delivery.last_error = "failed", "endpoint deactivated"
            continue
        delivery.next_attempt_at = now + LEASE
        claims.append(Claim(delivery.id, endpoint.url, endpoint.secret_sealed, delivery.event_type, delivery.payload))
    await session.flush()
    return claims


async def record(session: AsyncSession, delivery_id: int, now: datetime, *, status_code: int | None, error: str | None,
                 duration_ms: int) -> WebhookDelivery:
    """Keep one attempt's outcome: 2xx delivered; otherwise tried again after a backoff, or failed a day on."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    assert delivery is not None
    session.add(WebhookAttempt(delivery_id=delivery.id, business_id=delivery.business_id, attempted_at=now,
                               status_code=status_code, error=error, duration_ms=duration_ms))
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = status_code, error
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at = "delivered", now
    elif now >= delivery.created_at + GIVE_UP_AFTER or delivery.event_type == TEST_EVENT:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = min(now + backoff(delivery.attempts), delivery.created_at + GIVE_UP_AFTER)
    await session.flush()
    return delivery


async def get(session: AsyncSession, business_id: int, delivery_id: int) -> WebhookDelivery:
    stmt = select(WebhookDelivery).where(WebhookDelivery.id == delivery_id, WebhookDelivery.business_id == business_id)
    delivery = (await session.execute(stmt)).scalar_one_or_none()
    if delivery is None:
        raise NotFound(f"webhook delivery {delivery_id} not found")
    return delivery


async def retry_now(session: AsyncSession, business_id: int, delivery_id: int, now: datetime) -> WebhookDelivery:
    """A failed delivery, due again at once (one more attempt: failing again, it stays failed)."""
    delivery = await get(session, business_id, delivery_id)
    if delivery.status != "failed":
        raise NotRetryable(delivery.status)
    delivery.status, delivery.next_attempt_at = "pending", now
    await session.flush()
    return delivery


async def send_test(session: AsyncSession, business_id: int, endpoint_id: int, now: datetime) -> WebhookDelivery:
    """A `webhook.test` event owed to this endpoint alone (tried once, whatever it subscribed to)."""
    endpoint = await endpoints.get(session, business_id, endpoint_id)
    event_id = str(uuid.uuid4())
    body = payload(TEST_EVENT, event_id, business_id, {"endpoint_id": endpoint.id, "message": "FitZap test event"}, now)
    delivery = WebhookDelivery(endpoint_id=endpoint.id, business_id=business_id, event_type=TEST_EVENT, event_id=event_id,
                               payload=body, status="pending", attempts=0, next_attempt_at=now, created_at=now)
    session.add(delivery)
    await session.flush()
    return delivery


async def forget_old(session: AsyncSession, now: datetime, *, limit: int = FORGET_BATCH) -> int:
    """Delete up to `limit` deliveries made more than KEEP_FOR ago (their attempts go with them), none still pending;
    returns how many. Ids grow with time, so the oldest row by id says at once whether any is due (one index probe
    on a tick with nothing to do), and the oldest are found from the start of the primary key."""
    head = await session.scalar(select(WebhookDelivery.created_at).order_by(WebhookDelivery.id).limit(1))
    cutoff = now - KEEP_FOR
    if head is None or head >= cutoff:
        return 0
    oldest = (select(WebhookDelivery.id).where(WebhookDelivery.created_at < cutoff, WebhookDelivery.status != "pending")
              .order_by(WebhookDelivery.id).limit(limit))
    result = await session.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(oldest.scalar_subquery()))
                                   .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
