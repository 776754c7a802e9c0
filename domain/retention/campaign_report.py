"""What a campaign did: each arm's conversion (a booking made, or a check-in, within `conversion_days` of the
start), the uplift with its 95% interval, and the treated members who came back.

Every member counts in the arm they drew, sent to or not (a treated member who opted out before their
send still counts as treated): leaving them out would compare the holdout with a kinder-looking subset.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Booking, Campaign, CampaignMember, CheckIn, Client
from domain.retention.campaigns import get_campaign
from domain.retention.uplift import Uplift, uplift
from domain.sql.types import aware

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
    """Count each arm's conversions up to `now`; it only reads, so a page view or a CLI report changes nothing."""
    campaign = await get_campaign(session, business_id, campaign_id)
    if campaign.started_at is None:
        return CampaignReport(campaign, Arm(0, 0), Arm(0, 0), 0, {}, 0, None, None)
    rows = await _members(session, campaign, now)
    treated = Arm(sum(r.arm == "treated" for r in rows), sum(r.arm == "treated" and r.converted_at is not None for r in rows))
    holdout = Arm(sum(r.arm == "holdout" for r in rows), sum(r.arm == "holdout" and r.converted_at is not None for r in rows))
    mine = [r for r in rows if r.arm == "treated"]
    skipped = Counter(r.skipped_reason for r in mine if r.sent_at is None and r.skipped_reason)
    kept = sorted((Kept(r.client_id, r.name or r.phone_e164 or f"#{r.client_id}", r.sent_at, r.converted_at)
                   for r in mine if r.converted_at is not None), key=lambda k: (k.converted_at, k.client_id))
    effect = uplift(treated.converted, treated.members, holdout.converted, holdout.members)
    return CampaignReport(campaign, treated, holdout, sum(r.sent_at is not None for r in mine), dict(skipped),
                          sum(r.sent_at is None and not r.skipped_reason for r in mine), effect,
                          campaign.started_at + timedelta(days=campaign.conversion_days), kept[:KEPT_SHOWN])


async def _members(session: AsyncSession, campaign: Campaign, now: datetime) -> list[_Member]:
    """Each member's arm, send and first booking or check-in within the window (None when neither came)."""
    assert campaign.started_at is not None
    since, until = campaign.started_at, min(now, campaign.started_at + timedelta(days=campaign.conversion_days))
    m = CampaignMember
    visit = (select(func.min(CheckIn.checked_in_at))
             .where(CheckIn.client_id == m.client_id, CheckIn.checked_in_at >= since, CheckIn.checked_in_at <= until)
             .scalar_subquery())
    # A payment hold that lapsed was never a booking; anything else the client booked counts, kept or not.
    booked = (select(func.min(Booking.created_at))
              .where(Booking.client_id == m.client_id, Booking.created_at >= since, Booking.created_at <= until,
                     Booking.status != "held", or_(Booking.cancelled_by.is_(None), Booking.cancelled_by != "system"))
              .scalar_subquery())
    found = (await session.execute(
        select(m.client_id, m.arm, m.sent_at, m.skipped_reason, Client.profile_name.label("name"), Client.phone_e164,
               visit.label("visit"), booked.label("booked"))
        .join(Client, Client.id == m.client_id).where(m.campaign_id == campaign.id))).all()
    return [_Member(*r[:6], min(filter(None, (aware(r.visit), aware(r.booked))), default=None)) for r in found]


class _Member(NamedTuple):
    client_id: int
    arm: str
    sent_at: datetime | None
    skipped_reason: str | None
    name: str | None
    phone_e164: str | None
    converted_at: datetime | None
