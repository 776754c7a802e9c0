"""`fitzap bench engine`: one full conversation turn (store → engine → state and outbox), no network.

Runs the processing actor's work directly against PostgreSQL with the demo studio, cycling through
typical messages, and prints the median and p99 time of a turn; then the demo client Maria's "treino de hoje"
and a free-text workout log, each timed on its own; and understanding alone (intent, entities, date and time) of
each message of the intent model's corpus, each read once so no cache helps.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time as clock
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dramatiq.brokers.stub import StubBroker

from app.bootstrap import bootstrap
from bench.database import fresh_database
from channels.sandbox import SandboxChannel
from conversations.nlu import match_intent, understand
from conversations.nlu.classifier import read_corpus
from domain.demo_seed import seed_demo
from domain.messaging.inbox import IncomingMessage, record_inbound
from runtime.broker import build_broker
from runtime.settings import load_settings
from workers import processing

DB = "fitzap_bench_engine"
MESSAGES = ["oi", "meus horários", "marcar treino amanhã às 7", "não", "quantos créditos eu tenho?", "menu",
            "quero remarcar pra quinta 18h30", "cancelar", "cheguei", "ajuda"]
# Sent by the demo's Maria, whose program has a workout every day: each is timed on its own.
TRAINING = ["treino de hoje", "fiz supino 3x10 42,5kg"]
MARIA = "5511987654321"


async def _run(turns: int) -> dict[str, object]:
    url = await fresh_database(DB)
    settings = load_settings(DATABASE_URL=url, REDIS_URL="redis://127.0.0.1:6379/14", WHATSAPP_TOKEN="bench-token",
                             WHATSAPP_APP_SECRET="bench-secret", WHATSAPP_VERIFY_TOKEN="bench-verify",
                             SECRET_KEY="bench-secret-key-0123456789", WHATSAPP_SEND_RATE_PER_S=10_000)
    broker = build_broker(None)
    assert isinstance(broker, StubBroker)
    app = bootstrap(settings, channel=SandboxChannel(), broker=broker)
    runtime = await app.runtime()
    sessions = runtime.sessions
    async with sessions.begin() as session:
        business = await seed_demo(session, "bench-engine", datetime.now(UTC))
        business_id = business.id
    timings: list[float] = []
    engine_ms: list[float] = []
    real_handle = processing.handle

    async def timed_handle(ctx, incoming):  # type: ignore[no-untyped-def]
        started = clock.perf_counter()
        await real_handle(ctx, incoming)
        engine_ms.append((clock.perf_counter() - started) * 1000)

    processing.handle = timed_handle  # the engine's own share: decide and run domain services

    async def turn(n: int, wa_id: str, text: str) -> float:
        started = clock.perf_counter()
        async with sessions.begin() as session:
            now = datetime.now(UTC)
            client_ids = await record_inbound(session, business_id, [IncomingMessage(
                f"wamid.BENCH{n}", wa_id, None, "Bench", "text", text, {"text": {"body": text}}, now)], now)
        await processing.process(runtime, client_ids)
        broker.flush_all()
        return (clock.perf_counter() - started) * 1000

    for n, text in zip(range(turns), itertools.cycle(MESSAGES)):
        timings.append(await turn(n, f"55119{n // len(MESSAGES):08d}", text))  # a new client every cycle: first contacts too
    mixed_engine = sorted(engine_ms)
    training: dict[str, dict[str, float]] = {}
    for text in TRAINING:
        engine_ms.clear()
        times = sorted([await turn(turns + len(training) * turns + k, MARIA, text) for k in range(max(turns // 5, 20))])
        training[text] = {"median_ms": round(statistics.median(times), 2),
                          "engine_median_ms": round(statistics.median(engine_ms), 2)}
    processing.handle = real_handle
    await app.close()
    timings.sort()
    return {"bench": "engine", "turns": turns, "median_ms": round(statistics.median(timings), 2),
            "p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
            "engine_median_ms": round(statistics.median(mixed_engine), 2),
            "engine_p99_ms": round(mixed_engine[int(len(mixed_engine) * 0.99) - 1], 2), "training": training,
            "note": "median/p99: store + engine + state + outbox on PostgreSQL; engine_*: the engine's own call; no network"}


def understanding() -> dict[str, float]:
    """The time `understand` takes on each corpus message, read once, in milliseconds (target: median under 1 ms)."""
    rows = read_corpus()
    now = datetime.now(ZoneInfo("America/Sao_Paulo"))
    understand("oi", "pt-BR", now)  # loads the model
    match_intent.cache_clear()
    times = []
    for row in rows:
        started = clock.perf_counter()
        understand(row["text"], row.get("locale", "pt-BR"), now)
        times.append((clock.perf_counter() - started) * 1000)
    times.sort()
    return {"messages": len(times), "median_ms": round(statistics.median(times), 3),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 3)}


def run_engine_bench(turns: int = 500) -> None:
    """Print one JSON line with the median and p99 of a full turn, and of understanding a message."""
    print(json.dumps({**asyncio.run(_run(turns)), "understand": understanding()}), flush=True)
