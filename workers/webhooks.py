"""Sending outgoing webhooks: claim due deliveries, POST them signed (gateways.webhook_post), record each attempt.

Woken by the scheduler's tick (`Wake.webhooks`) and by the panel's test and retry buttons; the rows in PostgreSQL are
the work, so a lost wake-up or a dead worker delays a delivery, never loses or doubles it (beyond the lease).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time

import httpx

from domain.webhooks import deliveries, endpoints
from domain.webhooks.deliveries import Claim
from gateways import webhook_post
from runtime.resources import Runtime

log = logging.getLogger(__name__)
BATCH = 50  # deliveries claimed (and POSTed concurrently) at a time
BUDGET_S = 20.0  # then hand over to a fresh message
UNREADABLE_SECRET = "the secret cannot be read (SECRET_KEY changed): roll it in the panel"


def body_of(claim: Claim) -> bytes:
    """The exact bytes sent and signed."""
    return json.dumps(claim.payload, separators=(",", ":"), ensure_ascii=False).encode()


async def send_webhooks(rt: Runtime) -> int:
    """Send every delivery due now; returns how many attempts were made. A tick with nothing due costs one query."""
    claims = await _claim(rt)
    if not claims:
        return 0
    sent, started = 0, time.monotonic()
    secret_key = rt.settings.secret_key.get_secret_value()
    # Outside the demo only public addresses, checked at each connection (the name may have moved since it was saved).
    allowed = None if rt.settings.mode == "demo" else endpoints.public_address
    async with webhook_post.client(rt.resolve, allowed) as http:
        while claims:
            outcomes = await asyncio.gather(*(_post(rt, http, claim, secret_key) for claim in claims))
            async with rt.sessions.begin() as session:
                now = rt.clock.now()
                for claim, outcome in zip(claims, outcomes, strict=True):
                    await deliveries.record(session, claim.delivery_id, now, status_code=outcome.status_code,
                                            error=outcome.error, duration_ms=outcome.duration_ms)
            sent += len(claims)
            if time.monotonic() - started > BUDGET_S:
                await rt.wake.webhooks()  # more may be due: a fresh message carries on
                return sent
            claims = await _claim(rt)
    return sent


async def forget_old(rt: Runtime) -> int:
    """Delete deliveries older than a month, a batch per call (the scheduler's due-work tick calls it)."""
    async with rt.sessions.begin() as session:
        return await deliveries.forget_old(session, rt.clock.now())


async def _claim(rt: Runtime) -> list[Claim]:
    async with rt.sessions.begin() as session:
        return await deliveries.claim_due(session, rt.clock.now(), BATCH)


async def _post(rt: Runtime, http: httpx.AsyncClient, claim: Claim, secret_key: str) -> webhook_post.Outcome:
    secret = endpoints.unseal_secret(claim.secret_sealed, secret_key)
    if secret is None:
        return webhook_post.Outcome(None, UNREADABLE_SECRET, 0)
    outcome = await webhook_post.post(http, claim.url, body_of(claim), secret=secret,
                                      timestamp=int(rt.clock.now().timestamp()), event_type=claim.event_type,
                                      delivery_id=str(claim.delivery_id))
    if not outcome.delivered:
        log.info("webhook delivery %s to %s: %s", claim.delivery_id, claim.url, outcome.status_code or outcome.error)
    return outcome

