"""What a campaign did: each arm's conversion (a booking made, or a check-in, within `conversion_days` of the
start), the uplift with its 95% interval, and the treated members who came back.

Every member counts in the arm they drew, sent to or not (a treated member who opted out before their
send still counts as treated): leaving them out would compare the holdout with a kinder-looking subset.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Booking, Campaign, CampaignMember, CheckIn, Client
from domain.retention.campaigns import get_campaign
from domain.retention.uplift import Uplift, uplift

KEPT_SHOWN = 200


@dataclass(frozen=True)
class Arm:
    members: int
    converted: int

    @property
    def rate(self) -> float | None:
        return self.converted / self.members if self.members else None


@dataclass(frozen=True)
class Kept:
    client_id: int
    name: str
    sent_at: datetime | None
    converted_at: datetime


@dataclass(frozen=True)
class CampaignReport:
    campaign: Campaign
    treated: Arm
    holdout: Arm
    sent: int
    skipped: dict[str, int]
    waiting: int  # treated members whose send has not come yet
    effect: Uplift | None
    measuring_until: datetime | None
    kept: list[Kept] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        c, e = self.campaign, self.effect
        return {"campaign": c.id, "name": c.name, "status": c.status,
                "started_at": c.started_at.isoformat() if c.started_at else None,
                "measuring_until": self.measuring_until.isoformat() if self.measuring_until else None,
                "treated": {"members": self.treated.members, "converted": self.treated.converted, "rate": self.treated.rate},
                "holdout": {"members": self.holdout.members, "converted": self.holdout.converted, "rate": self.holdout.rate},
                "uplift": e.difference if e else None, "ci95": [e.low, e.high] if e else None, "method": e.method if e else None,
                "sent": self.sent, "skipped": self.skipped, "waiting": self.waiting, "kept": self.treated.converted}


async def campaign_report(session: AsyncSession, business_id: int, campaign_id: int, now: datetime) -> CampaignReport:
    """Bring the members' conversions up to `now`, then count them (in the caller's transaction)."""
    campaign = await get_campaign(session, business_id, campaign_id)
    if campaign.started_at is None:
        return CampaignReport(campaign, Arm(0, 0), Arm(0, 0), 0, {}, 0, None, None)
    await _measure(session, campaign, now)
    m = CampaignMember
    arms = {arm: Arm(int(n), int(converted or 0)) for arm, n, converted in (await session.execute(
        select(m.arm, func.count(), func.count(m.converted_at)).where(m.campaign_id == campaign.id).group_by(m.arm))).all()}
    treated, holdout = arms.get("treated", Arm(0, 0)), arms.get("holdout", Arm(0, 0))
    states = (await session.execute(
        select(m.sent_at.is_not(None), m.skipped_reason, func.count()).where(m.campaign_id == campaign.id, m.arm == "treated")
        .group_by(m.sent_at.is_not(None), m.skipped_reason))).all()
    sent = sum(n for was_sent, _, n in states if was_sent)
    skipped = {why: n for was_sent, why, n in states if not was_sent and why}
    waiting = sum(n for was_sent, why, n in states if not was_sent and not why)
    kept = [Kept(client_id, name or phone or f"#{client_id}", sent_at, converted_at) for client_id, name, phone, sent_at, converted_at in
            (await session.execute(
                select(m.client_id, Client.profile_name, Client.phone_e164, m.sent_at, m.converted_at)
                .join(Client, Client.id == m.client_id)
                .where(m.campaign_id == campaign.id, m.arm == "treated", m.converted_at.is_not(None))
                .order_by(m.converted_at, m.client_id).limit(KEPT_SHOWN))).all()]
    effect = uplift(treated.converted, treated.members, holdout.converted, holdout.members)
    return CampaignReport(campaign, treated, holdout, sent, skipped, waiting, effect,
                          campaign.started_at + timedelta(days=campaign.conversion_days), kept)


async def _measure(session: AsyncSession, campaign: Campaign, now: datetime) -> None:
    """Set `converted_at` of the members not yet converted who booked or checked in within the window."""
    assert campaign.started_at is not None
    since, until = campaign.started_at, min(now, campaign.started_at + timedelta(days=campaign.conversion_days))
    if until < since:
        return
    m = CampaignMember
    visit = (select(func.min(CheckIn.checked_in_at))
             .where(CheckIn.client_id == m.client_id, CheckIn.checked_in_at >= since, CheckIn.checked_in_at <= until)
             .scalar_subquery())
    # A payment hold that lapsed was never a booking; anything else the client booked counts, kept or not.
    booked = (select(func.min(Booking.created_at))
              .where(Booking.client_id == m.client_id, Booking.created_at >= since, Booking.created_at <= until,
                     Booking.status != "held", or_(Booking.cancelled_by.is_(None), Booking.cancelled_by != "system"))
              .scalar_subquery())
    found = (await session.execute(select(m.id, visit, booked).where(m.campaign_id == campaign.id, m.converted_at.is_(None)))).all()
    changes = [{"id": member_id, "converted_at": min(t for t in (v, b) if t is not None)}
               for member_id, v, b in found if v is not None or b is not None]
    if changes:
        await session.execute(update(CampaignMember), changes)
