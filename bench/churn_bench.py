"""`fitzap bench churn [-n MEMBERS] [--rescore]`: a generated gym history (bench.gym_history) imported into
PostgreSQL, a model trained on it, and the members active on the day scored; prints how long each step took
(target: scoring 100,000 active members under 30 s). `--rescore` scores the database the last run left again."""
from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.history_import import import_dir
from bench.database import database_url, fresh_database
from bench.gym_history import generate
from domain.models import Business, CheckIn, ChurnModel
from domain.retention.churn_scores import score_business
from domain.retention.model import fit, snapshots
from domain.sql.db import create_engine, create_sessionmaker

DB = "fitzap_bench_churn"
AS_OF = date(2026, 11, 1)
# An 18-month export: with the generator's default three years, only 4 in 10 members are still active on AS_OF.
HISTORY_START = date(2025, 5, 1)


async def _run(members: int, setting: str) -> dict[str, object]:
    url = await fresh_database(DB)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    figures: dict[str, object] = {"bench": "churn", "members": members, "setting": setting}
    try:
        async with sessions.begin() as session:
            business = Business(name="bench", phone_number_id="bench-churn", timezone="America/Sao_Paulo", locale="pt-BR",
                                currency="BRL", created_at=datetime.now(UTC))
            session.add(business)
        with tempfile.TemporaryDirectory(prefix="fitzap-bench-churn-") as folder:
            started = time.perf_counter()
            generate(Path(folder), members=members, start=HISTORY_START, seed=0, setting=setting)
            figures["generate_s"] = round(time.perf_counter() - started, 1)
            started = time.perf_counter()
            reports = await import_dir(url, Path(folder), business.id)
            figures["import_s"] = round(time.perf_counter() - started, 1)
        async with sessions() as session:
            figures["checkins"] = await session.scalar(select(func.count()).select_from(CheckIn))
            started = time.perf_counter()
            snapshot = await snapshots(session, business.id, AS_OF, ZoneInfo(business.timezone))
            predictor = fit(snapshot, AS_OF)
            figures["train_s"] = round(time.perf_counter() - started, 1)
            figures["training_rows"] = predictor.rows
        figures["lines"] = {r.name: r.lines for r in reports}
        async with sessions.begin() as session:
            session.add(ChurnModel(business_id=business.id, version="bench", trained_on=AS_OF, blob=predictor.dump(),
                                   metrics={}, trained_at=datetime.now(UTC)))
        figures.update(await _score(sessions))
    finally:
        await engine.dispose()
    return figures


async def _score(sessions: async_sessionmaker[AsyncSession]) -> dict[str, object]:
    started = time.perf_counter()
    async with sessions.begin() as session:
        business = await session.scalar(select(Business).where(Business.phone_number_id == "bench-churn"))
        if business is None:
            raise SystemExit("fitzap bench churn --rescore: no earlier run left its database; run it without --rescore")
        scored = await score_business(session, business, AS_OF, datetime.now(UTC))
    return {"score_s": round(time.perf_counter() - started, 1), "scored": scored["scored"]}


async def _rescore() -> dict[str, object]:
    engine = create_engine(database_url(DB))
    try:
        return {"bench": "churn", "rescore": True, **await _score(create_sessionmaker(engine))}
    finally:
        await engine.dispose()


def run_churn_bench(members: int = 180_000, setting: str = "default", rescore: bool = False) -> None:
    print(json.dumps(asyncio.run(_rescore() if rescore else _run(members, setting))), flush=True)
