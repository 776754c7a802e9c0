"""The `churn` actor: each night (from 03:00 in each business's time) its active members are scored with its
newest churn model, or the global one."""
from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from domain.models import Business
from domain.retention import churn_scores
from runtime.resources import Runtime

log = logging.getLogger(__name__)


async def score_due(rt: Runtime) -> int:
    """Score every business due tonight, each in its own transaction; return how many were scored."""
    async with rt.sessions() as session:
        due = await churn_scores.businesses_due(session, rt.clock.now())
    for business_id in due:
        async with rt.sessions.begin() as session:
            business = await session.get(Business, business_id)
            now = rt.clock.now()
            result = await churn_scores.score_business(session, business, now.astimezone(ZoneInfo(business.timezone)).date(), now)
        log.info("churn scores for business %s: %s members with model %s", business_id, result["scored"], result["model"])
    return len(due)
