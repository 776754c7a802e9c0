"""Outgoing webhooks in the tests: an endpoint registered as the panel registers it, the sender woken and drained."""
from __future__ import annotations

import json
import socket
from collections.abc import Sequence
from dataclasses import dataclass, field
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
PUBLIC_IP = "93.184.216.34"  # an address on the public internet (no test connects to it)


@dataclass
class FakeDns:
    """A resolver with set answers, so no test depends on real DNS: a name it does not know is not found.
    `answers[name]` may be a list of lists, one per lookup (a name that answers differently next time)."""

    answers: dict[str, list[str] | list[list[str]]]
    asked: list[str] = field(default_factory=list)

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        found = self.answers[host]
        if found and isinstance(found[0], list):
            return list(found.pop(0) if len(found) > 1 else found[0])  # type: ignore[arg-type]
        return list(found)  # type: ignore[arg-type]


def public_dns() -> FakeDns:
    """The test endpoints' hosts, all on the public internet."""
    return FakeDns({"hooks.example.com": [PUBLIC_IP], "crm.example.org": [PUBLIC_IP]})


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
