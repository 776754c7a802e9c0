"""`client.at_risk`: told when a member's churn risk crosses the threshold on a night's scoring (from below it, or from
no score at all, on the business's previous scoring day), so a member who stays at risk is told of once."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import ChurnScore
from domain.webhooks import events

AT_RISK = 0.3  # the At risk page's default threshold (30%)


async def tell_crossings(session: AsyncSession, business_id: int, day: date, scored: Sequence[tuple[int, float, list[str]]],
                         now: datetime, threshold: float = AT_RISK) -> int:
    """`scored`: (client id, risk, reasons) of this day's scoring; returns how many members crossed."""
    above = {client_id: (risk, reasons) for client_id, risk, reasons in scored if risk >= threshold}
    if not above or not await events.subscribed(session, business_id, "client.at_risk"):
        return 0
    before = (select(func.max(ChurnScore.scored_on))
              .where(ChurnScore.business_id == business_id, ChurnScore.scored_on < day).scalar_subquery())
    stmt = select(ChurnScore.client_id).where(ChurnScore.business_id == business_id, ChurnScore.scored_on == before,
                                              ChurnScore.risk >= threshold)
    already = set((await session.execute(stmt)).scalars().all())
    crossed = sorted(set(above) - already)
    for client_id in crossed:
        risk, reasons = above[client_id]
        await events.at_risk_event(session, business_id, client_id, risk, reasons, day, now)
    return len(crossed)
