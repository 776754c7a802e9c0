"""The At risk page: the members of the latest scoring day, riskiest first, with reasons, last visit,
last contact and whether they opted out; and one client's risk over time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.charts import LineChart, line_chart
from domain.models import CheckIn, ChurnScore, Client, OutboundMessage


@dataclass(frozen=True)
class AtRiskRow:
    client_id: int
    name: str
    phone: str | None
    risk: float
    reasons: list[str]
    last_visit: datetime | None
    last_contact: datetime | None
    opted_out: bool


async def latest_day(session: AsyncSession, business_id: int) -> date | None:
    return await session.scalar(select(func.max(ChurnScore.scored_on)).where(ChurnScore.business_id == business_id))


async def at_risk(session: AsyncSession, business_id: int, day: date, min_risk: float, limit: int = 200) -> list[AtRiskRow]:
    """Members scored on `day` at or above `min_risk`, riskiest first."""
    rows = (await session.execute(
        select(ChurnScore, Client).join(Client, Client.id == ChurnScore.client_id)
        .where(ChurnScore.business_id == business_id, ChurnScore.scored_on == day, ChurnScore.risk >= min_risk)
        .order_by(ChurnScore.risk.desc(), Client.id).limit(limit))).all()
    ids = [client.id for _, client in rows]
    visits = dict((await session.execute(select(CheckIn.client_id, func.max(CheckIn.checked_in_at))
                                         .where(CheckIn.client_id.in_(ids)).group_by(CheckIn.client_id))).all()) if ids else {}
    sent = dict((await session.execute(select(OutboundMessage.client_id, func.max(OutboundMessage.created_at))
                                       .where(OutboundMessage.client_id.in_(ids), OutboundMessage.kind != "read")
                                       .group_by(OutboundMessage.client_id))).all()) if ids else {}
    return [AtRiskRow(client.id, client.profile_name or client.phone_e164 or f"#{client.id}", client.phone_e164, score.risk,
                      list(score.reasons or []), visits.get(client.id), max(filter(None, (sent.get(client.id), client.last_inbound_at)),
                                                                             default=None), client.opted_out)
            for score, client in rows]


async def risk_history(session: AsyncSession, client_id: int) -> tuple[LineChart | None, list[ChurnScore]]:
    """A client's risk over the days they were scored (a chart once there are two days), newest first."""
    scores = list(await session.scalars(select(ChurnScore).where(ChurnScore.client_id == client_id)
                                        .order_by(ChurnScore.scored_on.desc()).limit(120)))
    if len(scores) < 2:
        return None, scores
    return line_chart([("risk", [(s.scored_on, round(s.risk * 100, 1)) for s in scores])], unit="%"), scores
