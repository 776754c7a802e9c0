"""The one way a message leaves: claim → send → record.

Every send goes through here: the delivery actor claims clients' due rows, a turn hands in the
replies it claimed itself as it wrote them. The outcomes of sends that end while a record is
being written share the next transaction (Runtime.send_records). A failed row backs off and the
rows behind it go back to the queue; a client left with work is woken again: at once, or when
its backoff ends.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import PermanentSendError, SendError, TransientSendError
from domain.messaging import claims as outbox_claims
from domain.messaging import outbox
from domain.messaging.claims import Claim
from domain.people import privacy
from runtime.failures import log_failure, service_away
from runtime.resources import Runtime
from workers.sending import NoSlot, Outcome, send_claims

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=15)
NO_SLOT_RETRY = timedelta(seconds=1)
RECORD_RETRY_FOR_S = 300.0  # within Dramatiq's time limit for an actor (10 minutes)


async def deliver(rt: Runtime, client_ids: list[int]) -> None:
    """Send every due row of these clients, in order; then those whose conversation another sender
    held, once it lets go (waiting for each in turn)."""
    claimed = await _claim(rt, client_ids, wait=False)
    await send_and_record(rt, claimed.claims)
    for client_id in claimed.locked:
        await send_and_record(rt, (await _claim(rt, [client_id], wait=True)).claims)


async def _claim(rt: Runtime, client_ids: list[int], *, wait: bool) -> outbox_claims.Claimed:
    async with rt.sessions.begin() as session:
        claimed = await outbox_claims.claim_due(session, client_ids, rt.clock.now(), wait=wait)
    await _wake(rt, set(), claimed.retry_at)  # their next row waits for a backoff: come back then
    return claimed


async def send_and_record(rt: Runtime, claims: Sequence[Claim]) -> None:
    """Send claimed rows and record what happened, holding their leases until then.

    A send the provider accepted is recorded even if the database is away for a while: left
    'sending', it would go out again once its lease ran out. A claim whose sends raised stays
    'sending' until its lease runs out, and is raised once the others are recorded (the broker
    retries the wake-up)."""
    row_ids = [row.id for claim in claims for row in claim.rows]
    rt.leases.hold(row_ids)
    try:
        outcomes = await send_claims(rt, claims)
        await _record_until_it_lands(rt, [(c, o) for c, o in zip(claims, outcomes) if not isinstance(o, BaseException)])
    finally:
        rt.leases.let_go(row_ids)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


async def _record_until_it_lands(rt: Runtime, outcomes: list[tuple[Claim, Outcome]]) -> None:
    deadline = time.monotonic() + RECORD_RETRY_FOR_S
    for pause_s in itertools.chain((0.1, 0.2, 0.5), itertools.repeat(1.0)):
        try:
            await rt.send_records.submit(outcomes)
            return
        except Exception as error:
            if not service_away(error) or time.monotonic() + pause_s > deadline:
                raise
            log_failure(log, "could not record sends, retrying", error)
            await asyncio.sleep(pause_s)


async def record(rt: Runtime, outcomes: list[tuple[Claim, Outcome]]) -> None:
    """Record what many claims' sends did, in one transaction, and wake the clients left with work."""
    now = rt.clock.now()
    again: set[int] = set()
    later: dict[int, datetime] = {}
    clean = all(o.failure is None and not o.skipped and not claim.erased for claim, o in outcomes)
    # When every send went through (the usual case) the marks are one statement, atomic and safe
    # to repeat on its own; a failure's bookkeeping (backoff, release) needs a transaction.
    async with (rt.single_statements if clean else rt.sessions).begin() as session:
        await outbox.mark_sent(session, [(c.business.id, row.id, pid) for c, o in outcomes for row, pid in o.sent], now)
        for claim, (_, failure, skipped) in outcomes:
            for row, error in skipped:
                await outbox.mark_failed(session, [row.id], error.describe(), now)
            if failure is not None and isinstance(failure[1], NoSlot):  # never tried: back to the queue
                await outbox.release(session, claim.rows[claim.rows.index(failure[0]):], now)
                later[claim.client_id] = now + NO_SLOT_RETRY
            elif failure is not None:
                await outbox.release(session, claim.rows[claim.rows.index(failure[0]) + 1:], now)
                retry_at = await _record_failure(rt, session, *failure)
                if retry_at is None:
                    again.add(claim.client_id)  # failed for good: the rows behind it go next
                else:
                    later[claim.client_id] = retry_at
            elif claim.erased:
                await privacy.forget_address_if_erased(session, claim.client_id)
            if len(claim.rows) == outbox.CLAIM_LIMIT:
                again.add(claim.client_id)  # more rows may wait behind these
    # Read after the marks commit: a turn that queued rows behind these while they were being
    # sent woke a delivery that found them still 'sending' and left. The record stands either way:
    # should the read fail, the sweeper finds those rows.
    try:
        async with rt.single_statements() as session:
            again.update(await outbox_claims.clients_with_queued(session, [c.client_id for c, o in outcomes if o.failure is None]))
    except Exception as error:
        if not service_away(error):
            raise
        log_failure(log, "could not look for replies queued behind these sends", error)
    await _wake(rt, again - set(later), later)


async def _wake(rt: Runtime, now: set[int], later: dict[int, datetime]) -> None:
    """Wake delivery for clients left with work: `now`, and each of `later` at its time. Their rows
    are durable: should the broker be away, the sweeper wakes them instead."""
    try:
        await rt.wake.deliver(now)
        for client_id, when in later.items():
            await rt.wake.deliver([client_id], delay_ms=_ms_until(rt, when))
    except Exception as error:
        log_failure(log, "could not wake delivery; the sweeper will", error)


async def _record_failure(rt: Runtime, session: AsyncSession, row: outbox.Sending, error: SendError) -> datetime | None:
    """Fail the row for good, or put it back for a retry after a backoff (returned)."""
    now = rt.clock.now()
    if isinstance(error, PermanentSendError) or row.attempts >= rt.settings.delivery_max_attempts:
        log.warning("outbox row %s failed for good: %s", row.id, error.describe())
        await outbox.mark_failed(session, [row.id], error.describe(), now)
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


def _ms_until(rt: Runtime, when: datetime) -> int:
    return max(1, int((when - rt.clock.now()).total_seconds() * 1000))
