"""Running a claimed batch of due rows: quiet hours first, then each kind's notice, then the outbox."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations import session_notices as notices
from conversations.automations.campaign import campaign_message
from conversations.automations.digest import digest
from conversations.automations.dunning import dunning
from conversations.automations.outcome import Outcome, skipped
from conversations.automations.waitlist import waitlist_offer
from conversations.automations.weekly_summary import weekly_summary
from domain.automation import due_work
from domain.automation.booking_snapshots import BookingSnapshot, booking_snapshots
from domain.automation.scheduled_work import BOOKING_KINDS
from domain.automation.weekly_summary_schedule import WEEKLY
from domain.messaging import outbox
from domain.models import Business
from domain.payments.subscriptions import DUNNING
from domain.people.businesses import by_ids
from domain.platform import plans
from domain.retention.campaign_sends import CAMPAIGN
from domain.scheduling.schedule_times import quiet_until

# The trainer's own digest is the studio's tool, not a message to its clients: no plan meters it.
UNMETERED = frozenset({"digest"})
HELD_BY_PLAN = "plan limit: automated messages"


async def run_batch(session: AsyncSession, rows: Sequence[due_work.DueRow], now: datetime, public_url: str = "",
                    mail: bool = False) -> set[int]:
    """Do the claimed rows' work in the caller's transaction; return the clients with new outbox rows.
    `mail`: email is set up (a trainer who prefers it gets the digest there)."""
    sessions = await booking_snapshots(session, [r.subject_id for r in rows if r.kind in BOOKING_KINDS])
    # One query for the batch's businesses: rows due at the same moment span many of them.
    businesses = await by_ids(session, (r.business_id for r in rows))
    queued: list[tuple[int, int, outbox.OutgoingMessage]] = []
    finished: dict[tuple[str, str], list[int]] = defaultdict(list)  # one UPDATE per outcome, not one per row
    deferred: dict[datetime, list[int]] = defaultdict(list)
    allowance = plans.AutomatedAllowance(session, now)
    for row in rows:
        business = businesses[row.business_id]
        until = quiet_until(business, now)
        if until is not None:
            if row.kind == "reminder" and until >= row.target_at:
                finished["skipped", "quiet hours until the session"].append(row.id)
            else:
                deferred[until].append(row.id)  # nothing automated at night: it waits, it is not dropped
            continue
        metered = row.kind not in UNMETERED
        if metered and not await allowance.room(business):
            finished["skipped", HELD_BY_PLAN].append(row.id)  # counted, and shown to the owner on the Plan page
            continue
        result = await _run_one(session, business, row, sessions, now, public_url, mail)
        finished[result.status, result.outcome[:64]].append(row.id)
        if result.client_id is not None:
            queued += [(business.id, result.client_id, m) for m in result.messages]
            if metered:
                allowance.sent(business, len(result.messages))
    for (status, outcome), ids in finished.items():
        await due_work.mark_many(session, ids, status, outcome, now)
    for until, ids in deferred.items():
        await due_work.defer_many(session, ids, until, now)
    await outbox.queue_many(session, queued, now)
    await allowance.record()
    return {client_id for _, client_id, _ in queued}


async def _run_one(session: AsyncSession, business: Business, row: due_work.DueRow,
                   sessions: dict[int, BookingSnapshot], now: datetime, public_url: str, mail: bool = False) -> Outcome:
    if row.kind == "digest":
        return await digest(session, business, row, now, mail)
    if row.kind == "waitlist_offer":
        return await waitlist_offer(session, business, row, now)
    if row.kind == DUNNING:
        return await dunning(session, business, row, now, public_url)
    if row.kind == WEEKLY:
        return await weekly_summary(session, business, row, now)
    if row.kind == CAMPAIGN:
        return await campaign_message(session, business, row, now)
    s = sessions.get(row.subject_id)
    if s is None or s.booking.business_id != business.id:
        return skipped("booking gone")
    if row.kind == "reminder":
        return notices.reminder(business, row, s, now)
    if row.kind == "followup":
        return notices.followup(business, row, s, now)
    if row.kind == "no_show":
        return await notices.no_show(session, business, row, s, now)
    return skipped(f"unknown kind {row.kind}")
