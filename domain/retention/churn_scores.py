"""Scoring a business's active members with its newest model (or the global one) and keeping each risk and
its reasons, day by day, for the At risk page and the client's risk history."""
from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Business, ChurnModel, ChurnScore
from domain.retention.features import features_on
from domain.retention.model import ChurnPredictor
from domain.retention.reasons import explain
from domain.webhooks import at_risk

INSERT_CHUNK = 5000
EXPLAIN_FROM = 0.10  # reasons cost seven predictions a member: members this unlikely to leave need none


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
    explained = [i for i, r in enumerate(risk) if r >= EXPLAIN_FROM]
    reasons: list[list[str]] = [[] for _ in members]
    for i, why in zip(explained, explain(predictor, [members[i] for i in explained], business.locale), strict=True):
        reasons[i] = why
    await session.execute(delete(ChurnScore).where(ChurnScore.business_id == business.id, ChurnScore.scored_on == day))
    rows = [(business.id, m.client_id, day, round(float(r), 4), why, model.version, now)
            for m, r, why in zip(members, risk, reasons, strict=True)]
    await _store(session, rows)
    await at_risk.tell_crossings(session, business.id, day, [(m.client_id, float(r), why) for m, r, why
                                                             in zip(members, risk, reasons, strict=True)], now)
    return {"scored": len(members), "model": model.version}


_COLUMNS = ("business_id", "client_id", "scored_on", "risk", "reasons", "model_version", "created_at")


async def _store(session: AsyncSession, rows: list[tuple[object, ...]]) -> None:
    """PostgreSQL's COPY (under half the time of batched INSERTs); Core inserts elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        raw = (await (await session.connection()).get_raw_connection()).driver_connection
        await raw.copy_records_to_table("churn_scores", columns=_COLUMNS,
                                        records=[(*row[:4], json.dumps(row[4]), *row[5:]) for row in rows])
        return
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(ChurnScore), [dict(zip(_COLUMNS, row, strict=True)) for row in rows[start:start + INSERT_CHUNK]])


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
