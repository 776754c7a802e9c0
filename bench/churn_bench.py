"""`fitzap bench churn [-n MEMBERS]`: a generated gym history (bench.gym_history) imported into PostgreSQL,
a model trained on it, and its members scored; prints how long each step took (targets: import of 100,000
members and their check-ins under 5 minutes, scoring 100,000 members under 30 s)."""
from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.history_import import import_dir
from bench.database import fresh_database
from bench.gym_history import generate
from domain.models import Business, CheckIn, ChurnModel
from domain.retention.churn_scores import score_business
from domain.retention.model import fit, snapshots
from domain.sql.db import create_engine, create_sessionmaker

DB = "fitzap_bench_churn"
AS_OF = date(2026, 11, 1)


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
            generate(Path(folder), members=members, seed=0, setting=setting)
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
        started = time.perf_counter()
        async with sessions.begin() as session:
            scored = await score_business(session, await session.get(Business, business.id), AS_OF, datetime.now(UTC))
        figures["score_s"] = round(time.perf_counter() - started, 1)
        figures["scored"] = scored["scored"]
    finally:
        await engine.dispose()
    return figures


def run_churn_bench(members: int = 100_000, setting: str = "default") -> None:
    print(json.dumps(asyncio.run(_run(members, setting))), flush=True)
