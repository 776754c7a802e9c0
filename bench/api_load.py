"""`fitzap bench api`: GET availability and POST booking through the REST API, open loop, on PostgreSQL.

A realistic studio (bench.admin_data: 6 trainers, 2,000 clients, weeks of sessions), a write token, one
`fitzap serve` process (production mode, Redis for the rate limit) and requests started from this process on a
fixed schedule (half availability, half bookings) whatever the answers' pace: each latency is measured from the
moment its request was due, so a slow server is not hidden by a client that waits for it. Each POST takes a
different free time (found before the run), so bookings succeed as a studio's would; once they run out, the rest
get 409 (counted apart).
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from datetime import UTC, date, datetime, timedelta

import aiohttp
from sqlalchemy import select

from bench.admin_data import seed_studio
from bench.database import fresh_database
from bench.stack import REDIS_URL, flush_redis, new_stack, start_web, stop
from domain.models import Client, Service, Staff
from domain.platform import api_tokens
from domain.scheduling.slots import personal_slots
from domain.sql.db import create_engine, create_sessionmaker

DB = "fitzap_bench_api"
TARGET_P99_MS = 50
DEFAULT_RATE, DEFAULT_SECONDS = 200, 15
CONNECTIONS = 32


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2) if ordered else 0.0


async def _studio(url: str) -> tuple[str, int, list[int], list[int], list[tuple[int, datetime]], date]:
    now = datetime.now(UTC).replace(microsecond=0)
    engine = create_engine(url, pool_size=1)
    sessions = create_sessionmaker(engine)
    async with sessions.begin() as session:
        business_id = await seed_studio(session, now - timedelta(minutes=1))
        secret = (await api_tokens.create_token(session, business_id, "bench", "write", now)).secret
    async with sessions() as session:
        service_id = (await session.execute(select(Service.id).where(Service.business_id == business_id,
                                                                     Service.capacity == 1))).scalar_one()
        trainers = list((await session.execute(select(Staff.id).where(Staff.business_id == business_id))).scalars())
        clients = list((await session.execute(select(Client.id).where(Client.business_id == business_id))).scalars())
        slots = await personal_slots(session, business_id, service_id, window_start=now.date(), days=30, now=now)
    await engine.dispose()
    free: list[tuple[int, datetime]] = []
    taken_until: dict[int, datetime] = {}
    for found in slots:  # sorted by start: keep starts that do not overlap one another, per trainer
        if found.slot.start >= taken_until.get(found.staff_id, found.slot.start):
            free.append((found.staff_id, found.slot.start))
            taken_until[found.staff_id] = found.slot.end
    random.Random(3).shuffle(free)
    return secret, service_id, trainers, clients, free, now.date()


async def _run(rate: int, seconds: int) -> list[dict[str, object]]:
    url = await fresh_database(DB)
    secret, service_id, trainers, clients, free, today = await _studio(url)
    await flush_redis()
    stack = new_stack()
    stack.env |= {"DATABASE_URL": url, "API_RATE_PER_MIN": "1000000"}  # the bench measures the API, not its limit
    try:
        await start_web(stack)
        timings, statuses, elapsed = await _load(f"{stack.web_url}/api/v1", secret, rate, seconds, service_id, trainers, clients,
                                                 free, today)
    finally:
        stop(stack)
    results: list[dict[str, object]] = []
    for kind, values in timings.items():
        results.append({"bench": "api", "operation": "GET /availability" if kind == "availability" else "POST /bookings",
                        "requests": len(values), "statuses": {str(k): v for k, v in sorted(statuses[kind].items())},
                        "p50_ms": _percentile(values, 0.50), "p95_ms": _percentile(values, 0.95), "p99_ms": _percentile(values, 0.99),
                        "max_ms": round(max(values), 2) if values else 0.0})
    answered = sum(map(len, timings.values()))
    results.append({"bench": "api", "rate_per_s": rate, "seconds": seconds, "achieved_per_s": round(answered / elapsed, 1),
                    "free_times_for_posts": len(free), "redis": REDIS_URL})
    return results


async def _load(base: str, secret: str, rate: int, seconds: int, service_id: int, trainers: list[int], clients: list[int],
                free: list[tuple[int, datetime]], today: date) -> tuple[dict[str, list[float]], dict[str, dict[int, int]], float]:
    """Requests due every 1/rate s (availability and booking in turn); latency counted from when each was due."""
    rng = random.Random(11)
    timings: dict[str, list[float]] = {"availability": [], "booking": []}
    statuses: dict[str, dict[int, int]] = {"availability": {}, "booking": {}}
    # Kept-alive connections, as an integration's HTTP client keeps them; requests beyond them wait (and count).
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector, headers={"Authorization": f"Bearer {secret}"}) as http:
        async def one(kind: str, due: float, n: int) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            if kind == "availability":
                day = today + timedelta(days=rng.randint(1, 21))
                request = http.get(f"{base}/availability", params={"service_id": service_id, "staff_id": rng.choice(trainers),
                                                                  "from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()})
            else:
                staff_id, starts_at = free[n % len(free)]
                request = http.post(f"{base}/bookings", json={"client_id": rng.choice(clients), "service_id": service_id,
                                                             "staff_id": staff_id, "starts_at": starts_at.isoformat(),
                                                             "notify_client": False})
            try:
                async with request as response:
                    await response.read()
                status = response.status
            except aiohttp.ClientError:
                status = 0  # no answer (connection refused or reset): counted as status "0"
            timings[kind].append((time.perf_counter() - due) * 1000)
            statuses[kind][status] = statuses[kind].get(status, 0) + 1

        for _ in range(50):  # warm-up (connections, prepared statements), not measured
            async with http.get(f"{base}/availability", params={"service_id": service_id, "from": today.isoformat()}) as r:
                await r.read()
        start = time.perf_counter() + 0.05
        await asyncio.gather(*[one("availability" if n % 2 == 0 else "booking", start + n / rate, n // 2)
                               for n in range(rate * seconds)])
        return timings, statuses, time.perf_counter() - start


def run_api_bench(rate: int | None = None, seconds: int | None = None) -> None:
    """Print one JSON line per operation (p50/p95/p99/max ms, statuses) and whether every p99 is under 50 ms."""
    results = asyncio.run(_run(rate or DEFAULT_RATE, seconds or DEFAULT_SECONDS))
    for line in results:
        print(json.dumps(line), flush=True)
    ops = [r for r in results if "operation" in r]
    worst = max(float(r["p99_ms"]) for r in ops)  # type: ignore[arg-type]
    print(json.dumps({"bench": "api", "worst_p99_ms": worst, "target_ms": TARGET_P99_MS, "met": worst < TARGET_P99_MS}), flush=True)
