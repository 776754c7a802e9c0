"""Sending a client's outbox in order, under the per-number rate limit, with backoff on failures."""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from bot.channels.base import OutboundEnvelope, PermanentSendError, SendError, TransientSendError
from bot.runtime import Runtime
from domain import outbox, privacy
from domain.conversation_store import lock_conversation
from domain.models import Business, Client, OutboundMessage
from domain.statuses import apply_early_statuses
from workers.enqueue import Enqueuer

log = logging.getLogger(__name__)

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)
MAX_BACKOFF = timedelta(minutes=15)


async def deliver(rt: Runtime, enqueuer: Enqueuer, client_id: int) -> None:
    """Send the client's queued rows one by one, oldest first, until none is due."""
    while True:
        claim = await _claim(rt, client_id)
        if claim is None:
            return
        if isinstance(claim, outbox.RetryAt):
            delay = claim.when - rt.clock.now()
            await enqueuer.deliver(client_id, delay_ms=max(1, int(delay.total_seconds() * 1000)))
            return
        row, business, client = claim
        retry_at = await _send_one(rt, row, business, client)
        if retry_at is not None:
            delay = retry_at - rt.clock.now()
            await enqueuer.deliver(client_id, delay_ms=max(1, int(delay.total_seconds() * 1000)))
            return


async def _claim(rt: Runtime, client_id: int) -> tuple[OutboundMessage, Business, Client] | outbox.RetryAt | None:
    async with rt.sessions.begin() as session:
        client = await session.get(Client, client_id)
        if client is None:
            return None
        now = rt.clock.now()
        await lock_conversation(session, client.business_id, client_id, now)
        while True:
            claimed = await outbox.claim_next(session, client_id, now)
            if claimed is None and client.erased_at is not None:
                await privacy.forget_address_if_erased(session, client_id)
            if claimed is None or isinstance(claimed, outbox.RetryAt):
                return claimed
            if claimed.kind in outbox.FREE_FORM_KINDS and not _inside_window(client.last_inbound_at, now):
                # Refused here, before any call: Meta would answer 131047 and count it against us.
                await outbox.mark_failed(session, claimed.id, "outside_24h_window: only templates may be sent", now)
                continue
            business = await session.get(Business, client.business_id)
            assert business is not None
            return claimed, business, client


def _inside_window(last_inbound_at: datetime | None, now: datetime) -> bool:
    return last_inbound_at is not None and now - last_inbound_at < CUSTOMER_SERVICE_WINDOW


async def _send_one(rt: Runtime, row: OutboundMessage, business: Business, client: Client) -> datetime | None:
    """Send one claimed row and record the outcome; return when to retry, if it should be."""
    envelope = OutboundEnvelope(business.phone_number_id, client.wa_id or "", row.kind, row.payload)
    await rt.limiter.wait_turn(business.phone_number_id)
    try:
        provider_id = await rt.channel.send(envelope)
    except SendError as error:
        return await _record_failure(rt, row, error)
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        await outbox.mark_sent(session, row.id, provider_id, now)
        if provider_id:
            await apply_early_statuses(session, business.id, provider_id)
    return None


async def _record_failure(rt: Runtime, row: OutboundMessage, error: SendError) -> datetime | None:
    now = rt.clock.now()
    give_up = isinstance(error, PermanentSendError) or row.attempts >= rt.settings.delivery_max_attempts
    async with rt.sessions.begin() as session:
        if give_up:
            log.warning("outbox row %s failed for good: %s", row.id, error.describe())
            await outbox.mark_failed(session, row.id, error.describe(), now)
            return None
        retry_at = now + _backoff(rt, row.attempts, error)
        await outbox.mark_retry(session, row.id, error.describe(), retry_at, now)
    return retry_at


def _backoff(rt: Runtime, attempts: int, error: SendError) -> timedelta:
    if isinstance(error, TransientSendError) and error.retry_after_s:
        return timedelta(seconds=error.retry_after_s)
    base_ms = rt.settings.delivery_backoff_base_ms * (2 ** (attempts - 1))
    jittered_ms = base_ms * random.uniform(1.0, 1.5)  # spread retries so they do not stampede
    return min(timedelta(milliseconds=jittered_ms), MAX_BACKOFF)
