"""Applying stored payment events: each in its own transaction with the ledger change and the
client's messages, marked processed in that same transaction."""
from __future__ import annotations

import logging

from conversations.payment_notices import tell_client
from domain.payments import events
from runtime.resources import Runtime
from runtime.token_stamp import tokens_changed

log = logging.getLogger(__name__)
# Events applied per actor message; more wait for the next wake-up (the last one sends it).
PER_WAKE_UP = 100


async def apply_events(rt: Runtime) -> int:
    """Apply waiting events, oldest first; returns how many were applied."""
    applied = 0
    while applied < PER_WAKE_UP:
        now = rt.clock.now()
        async with rt.sessions.begin() as session:
            event = await events.next_pending(session)
            if event is None:
                return applied
            result = await events.apply(session, event, now)
            clients = await tell_client(session, result, now, rt.settings.public_url or "")
            events.mark_processed(event, result, now)
        log.info("stripe event %s (%s): %s", event.id, event.type, result.outcome)
        if result.outcome.startswith("plan_"):  # a studio's FitZap plan: API processes read it again
            await tokens_changed(rt.redis)
        applied += 1
        await rt.wake.deliver(clients)
    await rt.wake.payments()
    return applied
