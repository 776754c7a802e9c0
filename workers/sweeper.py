"""The sweeper: re-wakes work that a crashed worker or a lost broker message left behind."""
from __future__ import annotations

import logging
from datetime import timedelta

from domain.messaging import claims, emails, inbox
from domain.payments import events
from domain.training import measurements
from runtime.resources import Runtime
from workers.media import MEDIA_KEPT_BY_META, fetching

log = logging.getLogger(__name__)


async def sweep(rt: Runtime) -> tuple[int, int]:
    """Wake the workers for stale inbound and outbound work, payment events and progress photos to download;
    return (inbound, outbound) clients woken."""
    now = rt.clock.now()
    idle = timedelta(seconds=rt.settings.sweep_after_s)
    async with rt.sessions.begin() as session:
        inbound_clients = await inbox.clients_with_stale_pending(session, now - idle)
        outbound_clients = await claims.clients_with_stale_outbox(session, now, idle)
        payments_wait = await events.waiting_since(session, now - idle)
        photos_wait = fetching(rt) and await measurements.photos_waiting(session, now - MEDIA_KEPT_BY_META)
        mails_wait = rt.mailer is not None and await emails.waiting_since(session, now - idle)
    await rt.wake.process(inbound_clients)
    await rt.wake.deliver(outbound_clients)
    if payments_wait:
        await rt.wake.payments()
    if photos_wait:
        await rt.wake.media()
    if mails_wait:
        await rt.wake.mail()
    if inbound_clients or outbound_clients:
        log.info("sweeper woke %d inbound and %d outbound conversations", len(inbound_clients), len(outbound_clients))
    return len(inbound_clients), len(outbound_clients)
