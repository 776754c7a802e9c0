"""The sweeper: re-wakes work that a crashed worker or a lost broker message left behind."""
from __future__ import annotations

import logging
from datetime import timedelta

from runtime.resources import Runtime
from domain.messaging import inbox, outbox
from runtime.wake import Enqueuer

log = logging.getLogger(__name__)


async def sweep(rt: Runtime, enqueuer: Enqueuer) -> tuple[int, int]:
    """Re-enqueue stale inbound and outbound work; return (inbound, outbound) clients woken."""
    now = rt.clock.now()
    idle = timedelta(seconds=rt.settings.sweep_after_s)
    async with rt.sessions.begin() as session:
        inbound_clients = await inbox.clients_with_stale_pending(session, now - idle)
        outbound_clients = await outbox.clients_with_stale_outbox(session, now, idle)
    await enqueuer.process(inbound_clients)
    for client_id in outbound_clients:
        await enqueuer.deliver(client_id)
    if inbound_clients or outbound_clients:
        log.info("sweeper woke %d inbound and %d outbound conversations", len(inbound_clients), len(outbound_clients))
    return len(inbound_clients), len(outbound_clients)
