"""The scheduled-work actors: `plan_due` (every tick) and `run_due` (claims and runs due rows)."""
from __future__ import annotations

import logging
import time

from sqlalchemy import select

from conversations.automations.run import run_batch
from conversations.notices import queue_waitlist_offers
from conversations.payment_notices import hold_released
from domain.automation import digest_schedule, due_work, scheduled_work, weekly_summary_schedule
from domain.models import Business, WaitlistEntry
from domain.platform import signups
from domain.retention import churn_scores
from domain.scheduling import classes, holds
from domain.scheduling.schedule_times import quiet_until
from runtime.resources import Runtime
from workers import webhooks

log = logging.getLogger(__name__)
BATCH = 400  # rows per transaction: big enough to spread its cost, small enough to hold locks briefly
BUDGET_S = 20.0  # then hand over to a fresh message, so one actor never runs for long
CONSUMERS = 2  # run_due messages per tick: SKIP LOCKED lets them share the rows


async def plan_due(rt: Runtime) -> None:
    """One scheduler tick: plan missing rows, digests and weekly summaries, wake the night's churn scoring, pass
    on lapsed waitlist offers, let go of expired payment holds, wake the consumers, delete month-old webhook deliveries
    and sign-ups whose link expired."""
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        while await scheduled_work.reconcile(session, now) > 0:
            pass
        await signups.forget_expired(session, now)
        await digest_schedule.plan_digests(session, now)
        await weekly_summary_schedule.plan_weekly_summaries(session, now)
        churn_due = await churn_scores.businesses_due(session, now)
    if churn_due:
        await rt.wake.churn()
    await _wake(rt, await lapse_offers(rt))
    await _wake(rt, await release_holds(rt))
    for _ in range(CONSUMERS):
        await rt.wake.run_due()
    await webhooks.forget_old(rt)


async def run_due(rt: Runtime) -> int:
    """Claim due rows a batch at a time and do their work; each batch commits with its outbox rows."""
    done, started = 0, time.monotonic()
    while True:
        async with rt.sessions.begin() as session:
            now = rt.clock.now()
            rows = await due_work.claim_due(session, now, BATCH)
            if not rows:
                return done
            clients = await run_batch(session, rows, now, rt.settings.public_url or "", mail=rt.mailer is not None)
        done += len(rows)
        await _wake(rt, clients)
        if rt.mailer is not None and any(row.kind == "digest" for row in rows):
            await rt.wake.mail()  # a digest may have gone to an email
        if time.monotonic() - started > BUDGET_S:
            await rt.wake.run_due()  # more may be due: a fresh message carries on
            return done


async def release_holds(rt: Runtime) -> set[int]:
    """Let go of times held for payments that did not come in time, telling their clients."""
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        released = await holds.release_expired(session, now)
        clients = set()
        for let_go in released:
            await hold_released(session, let_go.booking, now)
            clients.add(let_go.booking.client_id)
            if let_go.offers:  # a freed class seat goes to the waitlist
                business = await session.get(Business, let_go.booking.business_id)
                assert business is not None
                await queue_waitlist_offers(session, business, let_go.offers, now)
                clients |= {offer.client_id for offer in let_go.offers}
    return clients


async def lapse_offers(rt: Runtime) -> set[int]:
    """Expire waitlist holds that ran out and offer each seat to the next client (not in quiet hours)."""
    offered: set[int] = set()
    async with rt.sessions.begin() as session:
        now = rt.clock.now()
        stmt = (select(WaitlistEntry.business_id).where(WaitlistEntry.status == "offered",
                                                         WaitlistEntry.offer_expires_at <= now).distinct())
        for business_id in (await session.execute(stmt)).scalars().all():
            business = await session.get(Business, business_id)
            if business is None or quiet_until(business, now) is not None:
                continue  # the hold simply lasts until morning
            made = await classes.expire_offers(session, business_id, now)
            await queue_waitlist_offers(session, business, made, now)
            offered |= {e.client_id for e in made}
    return offered


async def _wake(rt: Runtime, client_ids: set[int]) -> None:
    """Wake delivery; if the broker is down the rows are durable and the sweeper wakes them later."""
    try:
        await rt.wake.deliver(client_ids)
    except Exception:
        log.exception("could not wake delivery for %d clients; the sweeper will", len(client_ids))
