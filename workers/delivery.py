"""Sending a client's outbox in order, under the per-number rate limit, with backoff on failures."""
from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import OutboundEnvelope, PermanentSendError, SendError, TransientSendError
from runtime.resources import Runtime
from domain.messaging import outbox, secret_box
from domain.people import privacy
from domain.messaging.conversation_store import lock_conversation
from domain.models import Business, Client, OutboundMessage
from domain.messaging.statuses import mark_sent
from runtime.wake import Enqueuer
from runtime.rate_limit import RateLimiter
from runtime.reserved_turns import ReservedTurns

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=15)
THROTTLE_PAUSE_S = 1.0  # how long the number rests after a throughput error that names no Retry-After


async def deliver(rt: Runtime, enqueuer: Enqueuer, client_id: int) -> None:
    """Send the client's due rows in order, a batch at a time, until none is due."""
    while True:
        claim = await _claim(rt, client_id)
        if claim is None:
            return
        retry_at = claim.when if isinstance(claim, outbox.RetryAt) else await _send_batch(rt, *claim)
        if retry_at is not None:
            delay = retry_at - rt.clock.now()
            await enqueuer.deliver(client_id, delay_ms=max(1, int(delay.total_seconds() * 1000)))
            return


async def _claim(rt: Runtime, client_id: int) -> tuple[list[OutboundMessage], Business, Client] | outbox.RetryAt | None:
    async with rt.sessions.begin() as session:
        client = await session.get(Client, client_id)
        if client is None:
            return None
        now = rt.clock.now()
        await lock_conversation(session, client.business_id, client_id, now)
        while True:
            claimed = await outbox.claim_due(session, client_id, now)
            if claimed is None and client.erased_at is not None:
                await privacy.forget_address_if_erased(session, client_id)
            if claimed is None or isinstance(claimed, outbox.RetryAt):
                return claimed
            refused = [r for r in claimed if r.kind in outbox.FREE_FORM_KINDS and not outbox.inside_window(client.last_inbound_at, now)]
            if refused:
                # Refused here, before any call: Meta would answer 131047 and count it against us.
                for row in refused:
                    await outbox.mark_failed(session, row.id, "outside_24h_window: only templates may be sent", now)
                await outbox.release(session, [r for r in claimed if r not in refused], now)
                continue
            business = await session.get(Business, client.business_id)
            assert business is not None
            return claimed, business, client


Sent = list[tuple[outbox.Claimed, str | None]]
Failure = tuple[outbox.Claimed, SendError] | None


async def _send_batch(rt: Runtime, rows: list[OutboundMessage], business: Business, client: Client) -> datetime | None:
    """Send claimed rows in order and record every outcome in one transaction; return when to retry."""
    sent, failure = await send_rows(rt, rows, business, client.wa_id or "")
    async with rt.sessions.begin() as session:
        return await record_outcome(rt, session, business, rows, sent, failure)


async def send_rows(rt: Runtime, rows: Sequence[outbox.Claimed], business: Business, wa_id: str,
                    limiter: RateLimiter | None = None) -> tuple[Sent, Failure]:
    """One client's claimed rows, in order, each after its turn under the number's rate; stop at a failure.

    Without a `limiter` (a batch's, reserved ahead), the rows' slots are reserved here in one call.
    A throughput error pauses the whole number, not just this client: Meta counts per number."""
    sent: Sent = []
    token = _own_token(rt, business)
    if limiter is None:
        limiter = ReservedTurns(rt.limiter)
        await limiter.take({business.phone_number_id: len(rows)})
    for row in rows:
        await limiter.wait_turn(business.phone_number_id)
        try:
            envelope = OutboundEnvelope(business.phone_number_id, wa_id, row.kind, row.payload, token)
            sent.append((row, await rt.channel.send(envelope)))
        except SendError as error:
            if isinstance(error, TransientSendError) and error.throttled:  # at once: senders side by side see it
                await limiter.pause(business.phone_number_id, error.retry_after_s or THROTTLE_PAUSE_S)
            return sent, (row, error)
    return sent, None


async def record_outcome(rt: Runtime, session: AsyncSession, business: Business, rows: Sequence[outbox.Claimed], sent: Sent,
                         failure: Failure) -> datetime | None:
    """Mark what went out; a failed row backs off and the rows behind it go back to the queue."""
    now = rt.clock.now()
    await mark_sent(session, [(business.id, row.id, provider_id) for row, provider_id in sent], now)
    if failure is None:
        return None
    await outbox.release(session, rows[len(sent) + 1:], now)
    return await _record_failure(rt, session, *failure)


def _own_token(rt: Runtime, business: Business) -> str | None:
    """The business's own Cloud API token, if it stored one; else the channel uses WHATSAPP_TOKEN."""
    if not business.whatsapp_token_encrypted:
        return None
    token = secret_box.unseal(rt.settings.secret_key.get_secret_value(), business.whatsapp_token_encrypted)
    if token is None:
        log.warning("business %s: stored WhatsApp token unreadable (SECRET_KEY changed?); using WHATSAPP_TOKEN", business.id)
    return token


async def _record_failure(rt: Runtime, session: AsyncSession, row: outbox.Claimed, error: SendError) -> datetime | None:
    now = rt.clock.now()
    if isinstance(error, PermanentSendError) or row.attempts >= rt.settings.delivery_max_attempts:
        log.warning("outbox row %s failed for good: %s", row.id, error.describe())
        await outbox.mark_failed(session, row.id, error.describe(), now)
        return None  # final: the rows after it go in the next round
    retry_at = now + _backoff(rt, row.attempts, error)
    await outbox.mark_retry(session, row.id, error.describe(), retry_at, now)
    return retry_at


def _backoff(rt: Runtime, attempts: int, error: SendError) -> timedelta:
    if isinstance(error, TransientSendError) and error.retry_after_s:
        return timedelta(seconds=error.retry_after_s)
    base_ms = rt.settings.delivery_backoff_base_ms * (2 ** (attempts - 1))
    jittered_ms = base_ms * random.uniform(1.0, 1.5)  # spread retries so they do not stampede
    return min(timedelta(milliseconds=jittered_ms), MAX_BACKOFF)
