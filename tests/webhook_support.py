"""Outgoing webhooks in the tests: an endpoint registered as the panel registers it, the sender woken and drained."""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import httpx
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import WebhookAttempt, WebhookDelivery
from domain.webhooks import endpoints
from gateways.webhook_post import verify
from runtime.resources import Runtime
from tests.booking_setup import NOW
from tests.support import drain

HOOK_URL = "https://hooks.example.com/fitzap"


def set_clock(clock: FixedClock, moment: datetime = NOW) -> None:
    clock.advance(seconds=(moment - clock.now()).total_seconds())


async def endpoint(runtime: Runtime, business_id: int, events: Sequence[str], url: str = HOOK_URL) -> tuple[int, str]:
    """A registered endpoint: (its id, its secret in clear)."""
    async with runtime.sessions.begin() as session:
        made, secret = await endpoints.create(session, business_id, url, events, runtime.clock.now(),
                                              secret_key=runtime.settings.secret_key.get_secret_value())
    return made.id, secret


async def send_due(runtime: Runtime, broker: StubBroker) -> None:
    """What the scheduler's tick and a worker do: wake the sender, run it."""
    await runtime.wake.webhooks()
    await drain(broker, runtime)


async def deliveries_of(runtime: Runtime, business_id: int) -> list[WebhookDelivery]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(WebhookDelivery).where(WebhookDelivery.business_id == business_id)
                                           .order_by(WebhookDelivery.id))).scalars().all())


async def attempts_of(runtime: Runtime, delivery_id: int) -> list[WebhookAttempt]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(WebhookAttempt).where(WebhookAttempt.delivery_id == delivery_id)
                                           .order_by(WebhookAttempt.id))).scalars().all())


def received(request: httpx.Request, secret: str, now: datetime) -> dict[str, Any]:
    """What a receiver does: check the signature over the raw body (5 minutes' tolerance), then read it."""
    assert verify(secret, request.headers["FitZap-Signature"], request.content, int(now.timestamp()))
    body: dict[str, Any] = json.loads(request.content)
    assert request.headers["FitZap-Event"] == body["type"]
    return body
