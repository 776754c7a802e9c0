"""`fitzap bench soak`: the stack under steady chat traffic for a while; nothing lost, nothing doubled, memory flat.

Clients write at a fixed rate (open loop; by default half of what `fitzap bench turns` measures on a
2-core machine), a few thousand contacts in turn, each message a new one. At the end every message
must be processed and every reply sent exactly once (the Graph stand-in counts what arrived), and
the web and worker processes' memory is printed at the start and the end.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import logging
import signal
import sys
import time
from typing import Any

import orjson
import psutil
import uvloop
from sqlalchemy import func, select

from admin.simulator_payloads import inbound_message
from bench import stack
from bench.graph_standin import GraphStandIn
from bench.http_client import KeepAliveClient, build_request
from bench.run import _exclusive
from channels.signature import sign
from domain.models import InboundMessage, OutboundMessage
from domain.sql.db import create_engine, create_sessionmaker

DEFAULT_SECONDS = 600
DEFAULT_RATE_PER_S = 300
CONTACTS = 3000
SENDERS = 64  # connections the load keeps open; more than the rate ever has in flight
RETRIES = 3
WARMUP_S = 30  # memory at the start is read after this: pools, caches and plans have settled
RSS_EVERY_S = 60
SETTLE_TIMEOUT_S = 120
TEXTS = ("oi", "menu", "meus horários", "ajuda", "quero marcar um treino")


def run_soak(seconds: int | None, rate_per_s: int | None) -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        with _exclusive():
            figures = uvloop.run(_soak(seconds or DEFAULT_SECONDS, rate_per_s or DEFAULT_RATE_PER_S))
    except RuntimeError as exc:
        print(f"fitzap bench soak: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except asyncio.CancelledError:
        raise SystemExit(128 + signal.SIGTERM) from None
    print(json.dumps(figures), flush=True)
    if figures["lost"] or figures["doubled"] or figures["unsent"]:
        raise SystemExit(1)


async def _soak(seconds: int, rate_per_s: int) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    bench = stack.new_stack()
    standin = GraphStandIn(bench.token)
    try:
        bench.env["WHATSAPP_API_BASE_URL"] = f"http://127.0.0.1:{await standin.start()}"
        await stack.prepare_data(bench)
        web = psutil.Process((await stack.start_web(bench)).pid)
        worker = psutil.Process(stack.start_worker(bench).pid)
        url = f"{bench.web_url}/webhooks/whatsapp"
        async with KeepAliveClient(url) as http:
            load = asyncio.create_task(_write(http, url, bench, seconds, rate_per_s))
            await asyncio.sleep(min(WARMUP_S, seconds / 2))
            rss = [_rss_mb(web, worker)]
            while not load.done():  # a sample a minute: flat, or growing?
                await asyncio.wait([load], timeout=RSS_EVERY_S)
                rss.append(_rss_mb(web, worker))
            posted, refused = await load
        counts = await _settle(standin)
    finally:
        stack.stop(bench)
        await standin.stop()
        await stack.flush_redis()
    return {"bench": "soak", "seconds": seconds, "rate_per_s": rate_per_s, "posted": posted, "refused": refused,
            **counts, "lost": posted - counts["processed"], "doubled": counts["arrived"] - counts["outbox_rows"],
            "rss_start_mb": rss[0], "rss_end_mb": rss[-1], "rss_web_mb": [r["web"] for r in rss],
            "rss_worker_mb": [r["worker"] for r in rss],
            "note": "lost: posted but not processed; doubled: sends that arrived at the Graph stand-in beyond the outbox "
                    "rows; rss: web and worker processes (the worker's children included), after the warm-up, every minute "
                    "and at the end"}


async def _write(http: KeepAliveClient, url: str, bench: stack.Stack, seconds: int, rate_per_s: int) -> tuple[int, int]:
    """Post webhooks at `rate_per_s` for `seconds` (open loop); return (answered 200, refused)."""
    numbers = itertools.count()
    contacts = itertools.cycle(range(CONTACTS))
    queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=rate_per_s)
    answered = refused = 0

    async def sender() -> None:
        nonlocal answered, refused
        while (request := await queue.get()) is not None:
            ok = False
            for _ in range(RETRIES):  # as Meta sends a webhook again that got no 200
                try:
                    if ok := await http.post(request) == 200:
                        break
                except OSError:  # the connection broke (the server closed it, say): a fresh one next time
                    pass
            answered, refused = answered + ok, refused + (not ok)

    senders = [asyncio.create_task(sender()) for _ in range(SENDERS)]
    started = time.perf_counter()
    for n in range(seconds * rate_per_s):
        await asyncio.sleep(max(0.0, started + n / rate_per_s - time.perf_counter()))
        await queue.put(_webhook(url, bench, next(contacts), next(numbers)))
    for _ in senders:
        await queue.put(None)
    await asyncio.gather(*senders)
    return answered, refused


def _webhook(url: str, bench: stack.Stack, contact: int, n: int) -> bytes:
    body = inbound_message(phone_number_id=bench.phone_number_id, wa_id=f"55119{contact:08d}", name=f"Soak {contact}",
                           text=TEXTS[n % len(TEXTS)])
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.SOAK{n}"
    raw = orjson.dumps(body)
    return build_request(url, raw, {"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw, bench.app_secret)})


async def _settle(standin: GraphStandIn) -> dict[str, int]:
    """Wait until every message is processed and every reply sent (or the timeout); count both ends."""
    engine = create_engine(stack.DATABASE_URL, pool_size=1)
    try:
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            async with create_sessionmaker(engine)() as session:
                stored = await session.scalar(select(func.count()).select_from(InboundMessage)) or 0
                processed = await session.scalar(select(func.count()).select_from(InboundMessage)
                                                 .where(InboundMessage.processed_at.is_not(None))) or 0
                rows = await session.scalar(select(func.count()).select_from(OutboundMessage)) or 0
                unsent = await session.scalar(select(func.count()).select_from(OutboundMessage)
                                              .where(OutboundMessage.status.notin_(("sent", "delivered", "read")))) or 0
            if (processed == stored and not unsent) or time.monotonic() > deadline:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(2.0)  # a doubled send would arrive by now
    finally:
        await engine.dispose()
    return {"stored": stored, "processed": processed, "outbox_rows": rows, "unsent": unsent,
            "arrived": standin.messages + standin.read_receipts}


def _rss_mb(web: psutil.Process, worker: psutil.Process) -> dict[str, float]:
    workers = [worker, *worker.children(recursive=True)]
    return {"web": round(web.memory_info().rss / 2**20, 1),
            "worker": round(sum(p.memory_info().rss for p in workers if p.is_running()) / 2**20, 1)}
