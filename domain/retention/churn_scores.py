"""Scoring a business's active members with its newest model (or the global one) and keeping each risk and
its reasons, day by day, for the At risk page and the client's risk history."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Business, ChurnModel, ChurnScore
from domain.retention.features import features_on
from domain.retention.model import ChurnPredictor
from domain.retention.reasons import explain

INSERT_CHUNK = 5000


class NoModel(DomainError):
    """Neither the business nor the deployment has a trained model yet (`fitzap churn train`)."""

    code = "no_model"


async def newest_model(session: AsyncSession, business_id: int) -> ChurnModel | None:
    """The business's newest model, else the newest global one."""
    return await session.scalar(select(ChurnModel).where(or_(ChurnModel.business_id == business_id,
                                                            ChurnModel.business_id.is_(None)))
                                .order_by(ChurnModel.business_id.is_(None), ChurnModel.trained_at.desc()).limit(1))


async def score_business(session: AsyncSession, business: Business, day: date, now: datetime) -> dict[str, object]:
    """Score every member active on `day`; a second run on the same day replaces the first."""
    model = await newest_model(session, business.id)
    if model is None:
        raise NoModel("no churn model yet: run `fitzap churn train` first")
    predictor = ChurnPredictor.load(model.blob)
    members = await features_on(session, business.id, day, ZoneInfo(business.timezone))
    risk = predictor.risk(members)
    reasons = explain(predictor, members, business.locale)
    await session.execute(delete(ChurnScore).where(ChurnScore.business_id == business.id, ChurnScore.scored_on == day))
    rows = [{"business_id": business.id, "client_id": m.client_id, "scored_on": day, "risk": round(float(r), 4),
             "reasons": why, "model_version": model.version, "created_at": now}
            for m, r, why in zip(members, risk, reasons, strict=True)]
    for start in range(0, len(rows), INSERT_CHUNK):  # a Core insert: ORM objects cost seconds per 100,000 members
        await session.execute(insert(ChurnScore), rows[start:start + INSERT_CHUNK])
    return {"scored": len(members), "model": model.version}


SCORE_FROM_HOUR = 3  # the night's scoring, in each business's own time


async def businesses_due(session: AsyncSession, now: datetime) -> list[int]:
    """Businesses past 03:00 local with no scores for their today, when some model could score them."""
    if await session.scalar(select(ChurnModel.id).limit(1)) is None:
        return []
    due = []
    for business_id, tz in (await session.execute(select(Business.id, Business.timezone))).all():
        local = now.astimezone(ZoneInfo(tz))
        if local.hour < SCORE_FROM_HOUR or await newest_model(session, business_id) is None:
            continue
        done = await session.scalar(select(ChurnScore.id).where(ChurnScore.business_id == business_id,
                                                                ChurnScore.scored_on == local.date()).limit(1))
        if done is None:
            due.append(business_id)
    return due
