"""POST /webhooks/stripe: verify Stripe's signature, store the event once, wake the worker, answer.

Nothing is stored before the signature checks out (400 otherwise). A redelivered event id is
stored once; the worker applies each stored event once (domain.payments.events).
"""
from __future__ import annotations

import logging

import stripe
from aiohttp import web

from domain.payments import events
from runtime.failures import log_failure, service_away
from runtime.keys import RUNTIME

log = logging.getLogger(__name__)
TOLERANCE_S = 300
RETRY_AFTER_S = 5


async def receive_stripe(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    secret = runtime.settings.stripe_webhook_secret
    if secret is None:
        raise web.HTTPNotFound()
    raw = await request.read()
    try:
        event = stripe.Webhook.construct_event(raw, request.headers.get("Stripe-Signature", ""), secret.get_secret_value(),
                                               tolerance=TOLERANCE_S)
    except stripe.SignatureVerificationError:
        return web.json_response({"error": "invalid signature"}, status=400)
    except (ValueError, TypeError, AttributeError, KeyError):  # signed, but not an event object
        return web.json_response({"error": "malformed event"}, status=400)
    payload = event.to_dict()
    if not _well_formed(payload):
        return web.json_response({"error": "malformed event"}, status=400)
    try:
        async with runtime.sessions.begin() as session:
            new = await events.store(session, payload, runtime.clock.now())
        if new:
            await runtime.wake.payments()
    except Exception as error:
        if not service_away(error):
            raise
        log_failure(log, "stripe event not stored, the database is away; answered 503", error)
        return web.json_response({"error": "temporarily unavailable"}, status=503, headers={"Retry-After": str(RETRY_AFTER_S)})
    return web.json_response({"received": True, "duplicate": not new})


def _well_formed(payload: dict[str, object]) -> bool:
    fields = (payload.get("id"), payload.get("type"), payload.get("account") or "")
    return all(isinstance(f, str) for f in fields) and 0 < len(str(fields[0])) <= 255 and len(str(fields[1])) <= 100 \
        and len(str(fields[2])) <= 255 and isinstance(payload.get("data"), dict)
