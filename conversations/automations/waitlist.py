"""A waitlist offer made in quiet hours, told to the client now that they are over."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, skipped
from conversations.notices import waitlist_offer_message
from domain.automation.due_work import DueRow
from domain.models import Business
from domain.scheduling.waitlist_offers import live_offer


async def waitlist_offer(session: AsyncSession, business: Business, row: DueRow, now: datetime) -> Outcome:
    """Only while the seat is still held for them: the class, or their place on the list, may be gone."""
    entry = await live_offer(session, business.id, row.subject_id, now)
    if entry is None:
        return skipped("offer gone")
    return Outcome("done", "waitlist offer", entry.client_id, (await waitlist_offer_message(session, business, entry, now),))
