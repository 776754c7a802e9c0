"""Handing claimed rows to the channel: each client's in order, the clients side by side, under the
number's rate limit (slots reserved for the whole batch in one call, not one per message)."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from channels.base import OutboundEnvelope, SendError, TransientSendError
from domain.messaging import outbox, secret_box
from domain.messaging.claims import Claim
from domain.models import Business
from runtime.rate_limit import RateLimiter
from runtime.reserved_turns import ReservedTurns
from runtime.resources import Runtime

log = logging.getLogger(__name__)

THROTTLE_PAUSE_S = 1.0  # how long the number rests after a throughput error that names no Retry-After

Sent = list[tuple[outbox.Sending, str | None]]  # each row that went out, with the provider's message id
Failure = tuple[outbox.Sending, SendError] | None  # the row that did not, and why (the rows behind it wait)


class Outcome(NamedTuple):
    """What one client's sends did."""

    sent: Sent
    failure: Failure
    # Read receipts that failed: blue ticks are not worth holding the replies behind them.
    skipped: tuple[tuple[outbox.Sending, SendError], ...] = ()


class NoSlot(SendError):
    """The rate limiter could not be asked for a turn (Redis away): the row was not tried at all."""


async def send_claims(rt: Runtime, claims: Sequence[Claim]) -> list[Outcome | BaseException]:
    """The claims' sends side by side, each claim's in order; what each did, or what it raised."""
    if not claims:
        return []
    turns = ReservedTurns(rt.limiter)
    sends_per_number: Counter[str] = Counter()
    for claim in claims:
        sends_per_number[claim.business.phone_number_id] += len(claim.rows)
    try:
        await turns.take(sends_per_number)
    except Exception as error:  # nothing was tried: each claim goes back to the queue
        return [Outcome([], (claim.rows[0], NoSlot(f"no send slot: {type(error).__name__}"))) for claim in claims]
    return list(await asyncio.gather(*(_send_claim(rt, c, turns) for c in claims), return_exceptions=True))


async def _send_claim(rt: Runtime, claim: Claim, turns: RateLimiter) -> Outcome:
    async with rt.sends_in_flight:
        return await _send_rows(rt, claim.rows, claim.business, claim.wa_id, turns)


async def _send_rows(rt: Runtime, rows: Sequence[outbox.Sending], business: Business, wa_id: str,
                     limiter: RateLimiter) -> Outcome:
    """One client's rows, in order, each after its turn under the number's rate; stop at a failure.

    A throughput error pauses the whole number, not just this client: Meta counts per number."""
    sent: Sent = []
    skipped: list[tuple[outbox.Sending, SendError]] = []
    token = own_token(rt, business)
    for row in rows:
        try:
            await limiter.wait_turn(business.phone_number_id)
        except Exception as error:
            return Outcome(sent, (row, NoSlot(f"no send slot: {type(error).__name__}")), tuple(skipped))
        try:
            envelope = OutboundEnvelope(business.phone_number_id, wa_id, row.kind, row.payload, token)
            sent.append((row, await rt.channel.send(envelope)))
        except SendError as error:
            throttled = isinstance(error, TransientSendError) and error.throttled
            if throttled:  # at once: senders side by side see it
                await limiter.pause(business.phone_number_id, error.retry_after_s or THROTTLE_PAUSE_S)
            elif row.kind == "read":
                skipped.append((row, error))
                continue
            return Outcome(sent, (row, error), tuple(skipped))
    return Outcome(sent, None, tuple(skipped))


def own_token(rt: Runtime, business: Business) -> str | None:
    """The business's own Cloud API token, if it stored one; else the channel uses WHATSAPP_TOKEN."""
    if not business.whatsapp_token_encrypted:
        return None
    token = secret_box.unseal(rt.settings.secret_key.get_secret_value(), business.whatsapp_token_encrypted)
    if token is None:
        log.warning("business %s: stored WhatsApp token unreadable (SECRET_KEY changed?); using WHATSAPP_TOKEN", business.id)
    return token
