"""A campaign's sends as due rows: each day's share (the daily cap) at the start of its send window, never in
quiet hours; and, when a row comes due, what the sender needs to know about its member."""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation.scheduled_work import insert_rows
from domain.models import Business, Campaign, CampaignMember, Client, Conversation
from domain.scheduling.schedule_times import MINUTES_PER_DAY, local_at, quiet_until

CAMPAIGN = "campaign"  # the due rows' kind; subject_id is the member
MISSED_DAYS_MAX = 3  # quiet hours repeat daily: a window they cover three days running is covered for good


@dataclass(frozen=True)
class MemberSend:
    member: CampaignMember
    campaign: Campaign
    client: Client
    handoff: bool


def send_moments(business: Business, campaign: Campaign, now: datetime) -> Iterator[datetime]:
    """The first moment of each local day's send window outside quiet hours, from `now` on."""
    tz = business.timezone
    day = now.astimezone(ZoneInfo(tz)).date()
    missed = 0
    while missed < MISSED_DAYS_MAX:
        opens = local_at(day, campaign.send_from_min, tz)
        closes = (local_at(day + timedelta(days=1), 0, tz) if campaign.send_until_min >= MINUTES_PER_DAY
                  else local_at(day, campaign.send_until_min, tz))
        day += timedelta(days=1)
        if closes <= now:
            continue  # today's window is over: not a miss
        start = max(opens, now)
        start = quiet_until(business, start) or start
        if start < closes:
            missed = 0
            yield start
        else:
            missed += 1


def send_days(business: Business, campaign: Campaign, now: datetime, days: int) -> list[datetime]:
    return list(islice(send_moments(business, campaign, now), days))


async def plan_sends(session: AsyncSession, business: Business, campaign: Campaign, member_ids: Sequence[int],
                     now: datetime) -> int:
    """One due row per member, `daily_cap` a day in the given order; returns the days used."""
    rows = []
    moments = send_moments(business, campaign, now)
    days = 0
    for first in range(0, len(member_ids), campaign.daily_cap):
        at = next(moments)
        days += 1
        rows += [{"business_id": business.id, "kind": CAMPAIGN, "subject_id": member_id, "offset_min": 0, "target_at": at,
                  "due_at": at, "status": "pending", "created_at": now, "updated_at": now}
                 for member_id in member_ids[first:first + campaign.daily_cap]]
    await insert_rows(session, rows)
    return days


async def member_send(session: AsyncSession, business_id: int, member_id: int) -> MemberSend | None:
    """The member of a due row, with their campaign, client and whether a person holds the conversation."""
    row = (await session.execute(
        select(CampaignMember, Campaign, Client, Conversation.handoff)
        .join(Campaign, Campaign.id == CampaignMember.campaign_id).join(Client, Client.id == CampaignMember.client_id)
        .outerjoin(Conversation, Conversation.client_id == Client.id)
        .where(CampaignMember.id == member_id, CampaignMember.business_id == business_id))).first()
    if row is None:
        return None
    member, campaign, client, handoff = row
    return MemberSend(member, campaign, client, bool(handoff))


def mark_sent(member: CampaignMember, now: datetime) -> None:
    member.sent_at = now


def mark_skipped(member: CampaignMember, why: str) -> None:
    member.skipped_reason = why[:64]
