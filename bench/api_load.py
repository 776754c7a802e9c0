"""`fitzap bench api`: GET availability and POST booking through the REST API, open loop, on PostgreSQL.

A realistic studio (bench.admin_data: 6 trainers, 2,000 clients, weeks of sessions), a write token,
`fitzap serve` (production mode, Redis for the rate limit; `--processes` of it) and requests started from this
process on a fixed schedule (half availability, half bookings) whatever the answers' pace: each latency is
measured from the moment its request was due, so a slow server is not hidden by a client that waits for it. Each
POST takes a different free time (found before the run), so bookings succeed as a studio's would; once they run
out, the rest get 409 (counted apart). The CPU each side used is printed too: the client shares the machine's
cores with the server and PostgreSQL, and its own lag (how late it sent what was due) shows when it is what
limits the figures.
"""
from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode

import asyncpg
import psutil
import uvloop
from sqlalchemy import select

from bench.admin_data import seed_studio
from bench.database import ADMIN_URL, fresh_database
from bench.http_client import KeepAliveClient, build_request
from bench.run import _cpu_seconds, _named
from bench.stack import REDIS_URL, flush_redis, new_stack, start_web, stop
from domain.models import Client, Service, Staff
from domain.platform import api_tokens
from domain.scheduling.slots import personal_slots
from domain.sql.db import create_engine, create_sessionmaker

DB = "fitzap_bench_api"
TARGET_P99_MS = 50
DEFAULT_RATE, DEFAULT_SECONDS, DEFAULT_PROCESSES = 200, 15, 2
CONNECTIONS = 32
WARM_BOOKINGS = 2 * CONNECTIONS


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


async def _run(rate: int, seconds: int, processes: int) -> list[dict[str, object]]:
    url = await fresh_database(DB)
    secret, service_id, trainers, clients, free, today = await _studio(url)
    await flush_redis()
    stack = new_stack()
    stack.env |= {"DATABASE_URL": url, "API_RATE_PER_MIN": "1000000"}  # the bench measures the API, not its limit
    try:
        web = psutil.Process((await start_web(stack, processes)).pid)

        async def watched() -> dict[str, list[psutil.Process]]:
            # PostgreSQL: the backends serving this database (other work on the machine may use the server too).
            conn = await asyncpg.connect(ADMIN_URL)
            try:
                pids = [r[0] for r in await conn.fetch("SELECT pid FROM pg_stat_activity WHERE datname = $1", DB)]
            finally:
                await conn.close()
            return {"web": [web, *web.children(recursive=True)], "postgres": [p for p in _named("postgres") if p.pid in pids],
                    "redis": _named("redis-server"), "bench": [psutil.Process()]}

        timings, statuses, elapsed, lags, cpu = await _load(f"{stack.web_url}/api/v1", secret, rate, seconds, service_id,
                                                            trainers, clients, free, today, watched)
    finally:
        stop(stack)
    results: list[dict[str, object]] = []
    for kind, values in timings.items():
        results.append({"bench": "api", "operation": "GET /availability" if kind == "availability" else "POST /bookings",
                        "requests": len(values), "statuses": {str(k): v for k, v in sorted(statuses[kind].items())},
                        "p50_ms": _percentile(values, 0.50), "p95_ms": _percentile(values, 0.95), "p99_ms": _percentile(values, 0.99),
                        "max_ms": round(max(values), 2) if values else 0.0})
    answered = sum(map(len, timings.values()))
    results.append({"bench": "api", "rate_per_s": rate, "seconds": seconds, "serve_processes": processes,
                    "achieved_per_s": round(answered / elapsed, 1), "free_times_for_posts": len(free) - WARM_BOOKINGS, "redis": REDIS_URL})
    # CPU per answered request by side, and how late the client itself sent requests (its own loop's lag).
    results.append({"bench": "api", **{f"{name}_cpu_ms_per_request": round(used * 1000 / max(1, answered), 2)
                                       for name, used in cpu.items()},
                    "cpu_cores_used": round(sum(cpu.values()) / elapsed, 2), "client_send_lag_p50_ms": _percentile(lags, 0.5),
                    "client_send_lag_p99_ms": _percentile(lags, 0.99)})
    return results


Timings = dict[str, list[float]]
Statuses = dict[str, dict[int, int]]


async def _load(base: str, secret: str, rate: int, seconds: int, service_id: int, trainers: list[int], clients: list[int],
                free: list[tuple[int, datetime]], today: date, processes: Callable[[], Awaitable[dict[str, list[psutil.Process]]]],
                ) -> tuple[Timings, Statuses, float, list[float], dict[str, float]]:
    """Requests due every 1/rate s (availability and booking in turn); latency counted from when each was due, and
    the CPU `processes` used meanwhile."""
    rng = random.Random(11)
    timings: Timings = {"availability": [], "booking": []}
    statuses: Statuses = {"availability": {}, "booking": {}}
    lags: list[float] = []
    auth = {"Authorization": f"Bearer {secret}"}

    def availability(day: date, staff_id: int | None) -> bytes:
        query = {"service_id": service_id, "from": day.isoformat(), "to": (day + timedelta(days=6)).isoformat()}
        return build_request(f"{base}/availability?{urlencode(query | ({'staff_id': staff_id} if staff_id else {}))}", b"",
                             auth, method="GET")

    # The warm-up books times of its own, the last ones found; the run takes the others in turn.
    warm_free, free = free[-WARM_BOOKINGS:], free[:-WARM_BOOKINGS]

    def booking(n: int, times: list[tuple[int, datetime]]) -> bytes:
        staff_id, starts_at = times[n % len(times)]
        body = json.dumps({"client_id": rng.choice(clients), "service_id": service_id, "staff_id": staff_id,
                           "starts_at": starts_at.isoformat(), "notify_client": False}).encode()
        return build_request(f"{base}/bookings", body, auth | {"Content-Type": "application/json"})

    # Made before the clock starts: the client's own CPU during the run is little more than writing bytes.
    requests = [("availability", availability(today + timedelta(days=rng.randint(1, 21)), rng.choice(trainers)))
                if n % 2 == 0 else ("booking", booking(n // 2, free)) for n in range(rate * seconds)]
    # Kept-alive connections, as an integration's HTTP client keeps them; requests beyond them wait (and count).
    connections = asyncio.Semaphore(CONNECTIONS)
    async with KeepAliveClient(base) as http:
        async def one(kind: str, request: bytes, due: float) -> None:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            lags.append((time.perf_counter() - due) * 1000)
            async with connections:
                try:
                    status = await http.post(request)
                except OSError:
                    status = 0  # no answer (connection refused or reset): counted as status "0"
            timings[kind].append((time.perf_counter() - due) * 1000)
            statuses[kind][status] = statuses[kind].get(status, 0) + 1

        # Warm-up (connections, prepared statements, each operation's first calls), not measured: concurrent, so
        # every serving process gets some.
        warm = availability(today, None)
        for _ in range(10):
            await asyncio.gather(*[http.post(warm) for _ in range(CONNECTIONS)])
        for first in range(0, WARM_BOOKINGS, CONNECTIONS):
            await asyncio.gather(*[http.post(booking(n, warm_free)) for n in range(first, first + CONNECTIONS)])
        before = {p.pid: _cpu_seconds(p) for group in (await processes()).values() for p in group}
        # A pause before the clock starts: 50 ms after the warm-up, its tail made the run's first 100 ms answer late.
        start = time.perf_counter() + 0.5
        await asyncio.gather(*[one(kind, request, start + n / rate) for n, (kind, request) in enumerate(requests)])
        elapsed = time.perf_counter() - start
        # Listed again at the end: connections opened during the run are PostgreSQL backends that started in it.
        cpu = {name: sum(_cpu_seconds(p) - before.get(p.pid, 0.0) for p in group)
               for name, group in (await processes()).items()}
        return timings, statuses, elapsed, lags, cpu


def run_api_bench(rate: int | None = None, seconds: int | None = None, processes: int | None = None) -> None:
    """Print one JSON line per operation (p50/p95/p99/max ms, statuses) and whether every p99 is under 50 ms."""
    # uvloop: the client shares the machine's cores with the server it measures; it should take little of them.
    results = uvloop.run(_run(rate or DEFAULT_RATE, seconds or DEFAULT_SECONDS, processes or DEFAULT_PROCESSES))
    for line in results:
        print(json.dumps(line), flush=True)
    ops = [r for r in results if "operation" in r]
    worst = max(float(r["p99_ms"]) for r in ops)  # type: ignore[arg-type]
    print(json.dumps({"bench": "api", "worst_p99_ms": worst, "target_ms": TARGET_P99_MS, "met": worst < TARGET_P99_MS}), flush=True)
