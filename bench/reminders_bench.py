"""`fitzap bench reminders`: N appointments due across 200 businesses, scheduled and sent end to end.

The scheduler's planning step turns imported bookings into due rows (timed: scheduling rows/s);
then `fitzap worker` processes claim them, write the outbox and deliver to a local Graph API
stand-in, with the per-number rate set to its maximum so the platform itself is measured.
"""
from __future__ import annotations

import asyncio
import json
import logging
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

import psutil
from sqlalchemy import func, select

from app.bootstrap import bootstrap
from bench import stack
from bench.bulk_bookings import load_bookings
from bench.database import fresh_database
from bench.graph_standin import GraphStandIn
from bench.run import _exclusive
from domain.automation import scheduled_work
from domain.models import Business, OutboundMessage
from domain.sql.db import create_engine, create_sessionmaker
from runtime.settings import load_settings

DB = "fitzap_bench_reminders"
BUSINESSES = 200
TRAINERS = 10  # per business, so each business's sessions fit in the coming hour
CONSUMERS = 4  # run_due messages: SKIP LOCKED lets them share the due rows
SEND_TIMEOUT_S = 600.0


def run_reminders_bench(n: int) -> None:
    """Print one JSON line: scheduling rows/s and the sustained send rate."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        with _exclusive():
            figures = asyncio.run(_bench(n))
    except RuntimeError as exc:
        print(f"fitzap bench reminders: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except asyncio.CancelledError:
        raise SystemExit(128 + signal.SIGTERM) from None
    print(json.dumps(figures), flush=True)


async def _bench(n: int) -> dict[str, object]:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    bench = stack.new_stack()
    standin = GraphStandIn(bench.token)
    url = await fresh_database(DB)
    bench.env["DATABASE_URL"] = url
    engine = create_engine(url, pool_size=2)
    sessions = create_sessionmaker(engine)
    try:
        bench.env["WHATSAPP_API_BASE_URL"] = f"http://127.0.0.1:{await standin.start()}"
        await stack.flush_redis()
        now = datetime.now(UTC)
        await _load(sessions, n, now)
        started = time.perf_counter()
        async with sessions.begin() as session:
            while await scheduled_work.reconcile(session, datetime.now(UTC)) > 0:
                pass
        scheduling_s = time.perf_counter() - started
        worker = psutil.Process(stack.start_worker(bench).pid)
        wiring = bootstrap(load_settings(**bench.env))
        for _ in range(CONSUMERS):  # what the scheduler's tick does, from the scheduler's own wiring
            await asyncio.to_thread(wiring.actors.run_due.send)
        first, last = await _watch(standin, n, bench)
        worker_cpu_s = _cpu_seconds(worker)
        async with sessions() as session:
            made = (await session.execute(select(func.min(OutboundMessage.created_at), func.max(OutboundMessage.created_at)))).one()
        queued_s = (made[1] - made[0]).total_seconds()
    finally:
        stack.stop(bench)
        await standin.stop()
        await stack.flush_redis()
        await engine.dispose()
    rows = n * 3  # a reminder, a follow-up and a no-show check per booking
    return {"bench": "reminders", "appointments": n, "businesses": BUSINESSES, "due_rows": rows,
            "scheduling_s": round(scheduling_s, 2), "scheduling_rows_per_s": round(rows / scheduling_s, 1),
            "queued_per_s": round(n / queued_s, 1) if queued_s else None,
            "sent": standin.messages, "send_s": round(last - first, 2),
            "sends_per_s": round((standin.messages - 1) / (last - first), 1) if last > first else None,
            "worker_cpu_ms_per_message": round(worker_cpu_s * 1000 / n, 3),
            "note": "queued_per_s: due rows claimed and turned into outbox messages by the workers; "
                    "sends_per_s: first to last message at the Graph stand-in; rate limit 10,000/s per number; "
                    "worker_cpu_ms_per_message: CPU of all worker processes from start to the last send, per message"}


async def _load(sessions, n: int, now: datetime) -> None:  # type: ignore[no-untyped-def]
    """BUSINESSES businesses with n/BUSINESSES bookings each, their 2-hour reminders all due now."""
    per = max(1, n // BUSINESSES)
    for b in range(BUSINESSES):
        async with sessions.begin() as session:
            shop = Business(name=f"Bench Studio {b}", phone_number_id=f"9{b:014d}", timezone="America/Sao_Paulo",
                            locale="pt-BR", currency="BRL", created_at=now, reminder_offsets_min="120",
                            quiet_start_min=0, quiet_end_min=0)
            session.add(shop)
            await session.flush()
            count = per if b < BUSINESSES - 1 else n - per * (BUSINESSES - 1)
            await load_bookings(session, shop.id, bookings=count, clients=count, trainers=TRAINERS,
                                first_start=now + timedelta(minutes=61), booked_at=now - timedelta(days=2),
                                phone_base=b * 1_000_000)


def _cpu_seconds(process: psutil.Process) -> float:
    """User + system CPU of a process and its children so far."""
    family = [process, *process.children(recursive=True)]
    return sum(t.user + t.system for t in (p.cpu_times() for p in family))


async def _watch(standin: GraphStandIn, n: int, bench: stack.Stack) -> tuple[float, float]:
    """Wait until the stand-in has seen n messages; return the times of the first and the last."""
    deadline = time.perf_counter() + SEND_TIMEOUT_S
    first = 0.0
    while standin.messages < n:
        now = time.perf_counter()
        if standin.messages and not first:
            first = now
        if now > deadline:
            raise RuntimeError(f"only {standin.messages}/{n} sent after {SEND_TIMEOUT_S:.0f}s; logs in {bench.logs}\n"
                               f"{stack.tail(bench, 'worker')}")
        for proc in bench.procs:
            if proc.poll() is not None:
                raise RuntimeError(f"fitzap worker exited with {proc.returncode}:\n{stack.tail(bench, 'worker')}")
        await asyncio.sleep(0.01)
    return first, time.perf_counter()
