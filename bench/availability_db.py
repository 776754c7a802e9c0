"""`fitzap bench availability`: free slots for 30 days over one trainer with 5,000 future appointments.

Times the whole service call (the indexed queries and the in-memory sweep) against PostgreSQL.
"""
from __future__ import annotations

import asyncio
import json
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta

from bench.database import fresh_database
from domain.models import Appointment, Business, TimeOff
from domain.scheduling import catalog, slots
from domain.sql.db import create_engine, create_sessionmaker

DB = "fitzap_bench_availability"
APPOINTMENTS = 5_000


async def _seed(sessions, now: datetime) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        shop = Business(name="Bench Gym", phone_number_id="bench", timezone="America/Sao_Paulo", locale="pt-BR",
                        currency="BRL", created_at=now, max_horizon_days=400, min_notice_min=60)
        session.add(shop)
        await session.flush()
        trainer = await catalog.add_staff(session, shop.id, "Trainer", now)
        service = await catalog.add_service(session, shop.id, "Personal", now, duration_min=60, buffer_after_min=10,
                                            trainer_ids=[trainer.id])
        until = (now + timedelta(days=90)).date()
        for weekday in range(5):
            await catalog.add_weekly_hours(session, shop.id, trainer.id, weekday, time(6), time(12), valid_until=until)
            await catalog.add_weekly_hours(session, shop.id, trainer.id, weekday, time(14), time(21), valid_until=until)
        await catalog.add_weekly_hours(session, shop.id, trainer.id, 5, time(8), time(12), valid_until=until)
        session.add_all(TimeOff(business_id=shop.id, staff_id=trainer.id, starts_at=now + timedelta(days=d),
                                ends_at=now + timedelta(days=d, hours=24), reason="holiday") for d in (10, 40, 41, 42, 70))
        # 5,000 appointments over the next year: ~14 a day, on the hour, 06:00-20:00 local (UTC-3).
        start_day = datetime.combine(now.date() + timedelta(days=1), time(9), UTC)
        rows = []
        for i in range(APPOINTMENTS):
            day, slot = divmod(i, 14)
            starts = start_day + timedelta(days=day * 365 // (APPOINTMENTS // 14), hours=slot)
            rows.append(Appointment(business_id=shop.id, staff_id=trainer.id, service_id=service.id, kind="personal",
                                    starts_at=starts, ends_at=starts + timedelta(minutes=50), blocked_from=starts,
                                    blocked_until=starts + timedelta(minutes=60), capacity=1, status="scheduled",
                                    created_at=now, updated_at=now))
        session.add_all(rows)
        return shop.id, service.id


async def _run(iterations: int) -> dict[str, object]:
    url = await fresh_database(DB)
    engine = create_engine(url)
    sessions = create_sessionmaker(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    business_id, service_id = await _seed(sessions, now)
    window_start: date = (now + timedelta(days=1)).date()
    timings_ms: list[float] = []
    found = 0
    async with sessions() as session:
        for i in range(iterations + 20):
            started = clock.perf_counter()
            result = await slots.personal_slots(session, business_id, service_id, window_start=window_start, days=30, now=now)
            if i >= 20:  # the first calls warm the connection and statement caches
                timings_ms.append((clock.perf_counter() - started) * 1000)
            found = len(result)
    await engine.dispose()
    timings_ms.sort()
    return {"bench": "availability", "appointments": APPOINTMENTS, "window_days": 30, "slots": found,
            "iterations": iterations, "median_ms": round(statistics.median(timings_ms), 3),
            "p99_ms": round(timings_ms[int(len(timings_ms) * 0.99) - 1], 3)}


def run_availability_bench(iterations: int = 200) -> None:
    """Print two JSON lines: the in-memory sweep alone, then the whole service call with its queries."""
    from bench.availability_bench import run_availability_bench as sweep_only

    print(json.dumps({**sweep_only(iterations), "part": "sweep only (in memory)"}), flush=True)
    print(json.dumps({**asyncio.run(_run(iterations)), "part": "service call (queries + sweep)"}), flush=True)
