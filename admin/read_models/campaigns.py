"""The campaigns list: each campaign with its members per arm and how many were sent to."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Campaign, CampaignMember


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    treated: int
    holdout: int
    sent: int


async def campaign_rows(session: AsyncSession, business_id: int, limit: int = 200) -> list[CampaignRow]:
    """The business's campaigns, newest first."""
    m = CampaignMember
    counts = (select(m.campaign_id, func.count(case((m.arm == "treated", 1))).label("treated"),
                     func.count(case((m.arm == "holdout", 1))).label("holdout"), func.count(m.sent_at).label("sent"))
              .where(m.business_id == business_id).group_by(m.campaign_id).subquery())
    rows = (await session.execute(
        select(Campaign, counts.c.treated, counts.c.holdout, counts.c.sent).outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .where(Campaign.business_id == business_id).order_by(Campaign.created_at.desc(), Campaign.id.desc()).limit(limit))).all()
    return [CampaignRow(c, treated or 0, holdout or 0, sent or 0) for c, treated, holdout, sent in rows]
