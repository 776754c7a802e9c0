"""`fitzap bench ingest|turns`: run one bench against a freshly started stack, print one JSON line."""
from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import math
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil
import uvloop

from bench import load, stack
from bench.graph_standin import GraphStandIn
from bench.http_client import KeepAliveClient

# In flight: enough, by Little's law, that the bench never caps the rate it measures; a turn takes
# far longer end to end than a webhook's answer, so turns need more (docs/performance.md).
DEFAULTS = {"ingest": (20000, 32), "turns": (2000, 48)}
# Not counted: lazy imports, connection pools, caches and PostgreSQL's plans settle first (a short
# warm-up left them settling into the timed run: docs/performance.md).
WARMUP = {"ingest": 2000, "turns": 64}
TURN_TIMEOUT_S = 30.0
WARMUP_TURN_TIMEOUT_S = 60.0  # the worker is still booting during the first warm-up turns


def run_bench(which: str, *, requests: int | None = None, concurrency: int | None = None) -> None:
    """Start the stack, load it, stop it, and print the figures as one JSON line on stdout."""
    if which not in DEFAULTS:
        raise ValueError(f"unknown bench {which!r}; expected one of {sorted(DEFAULTS)}")
    n = requests or DEFAULTS[which][0]
    c = concurrency or DEFAULTS[which][1]
    logging.getLogger("alembic").setLevel(logging.WARNING)  # keep the migration chatter off the terminal
    try:
        with _exclusive():
            # uvloop: the load generator and the Graph stand-in share the two cores with the stack.
            figures = uvloop.run(_bench(which, n, c))
    except RuntimeError as exc:
        print(f"fitzap bench {which}: {exc}", file=sys.stderr)
        raise SystemExit(1) from None
    except asyncio.CancelledError:  # SIGTERM: everything was stopped on the way out
        raise SystemExit(128 + signal.SIGTERM) from None
    print(json.dumps(figures), flush=True)


@contextmanager
def _exclusive() -> Iterator[None]:
    """One bench at a time: every run recreates the same database and flushes the same Redis db."""
    with open(Path(tempfile.gettempdir()) / "fitzap-bench.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another bench is using {stack.DATABASE} and Redis db 14; try again when it ends") from None
        yield  # the lock goes with the file, also if this process dies


async def _bench(which: str, n: int, c: int) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)  # clean up on kill too
    bench = stack.new_stack()
    standin = GraphStandIn(bench.token)
    rss: PeakRss | None = None
    clean = False  # logs are kept for a run that failed, and named on stderr
    try:
        bench.env["WHATSAPP_API_BASE_URL"] = f"http://127.0.0.1:{await standin.start()}"
        await stack.prepare_data(bench)
        web = psutil.Process((await stack.start_web(bench)).pid)
        rss = PeakRss(web.pid)
        rss.start()
        worker = psutil.Process(stack.start_worker(bench).pid) if which == "turns" else None
        url = f"{bench.web_url}/webhooks/whatsapp"
        warmup = load.build_webhooks(url, bench.app_secret, bench.phone_number_id, WARMUP[which], first=0)
        hooks = load.build_webhooks(url, bench.app_secret, bench.phone_number_id, n, first=len(warmup))
        # Kept-alive connections, one per concurrent sender, as Meta's delivery fleet would hold.
        async with KeepAliveClient(url) as http:
            if which == "ingest":
                warm = await load.ingest(http, warmup, c)
                with _cpu_used(_processes(web, worker)) as cpu:
                    outcome = await load.ingest(http, hooks, c)
            else:
                warm = await load.turns(http, warmup, c, standin, WARMUP_TURN_TIMEOUT_S)
                with _cpu_used(_processes(web, worker)) as cpu:
                    outcome = await load.turns(http, hooks, c, standin, TURN_TIMEOUT_S)
        if warm.errors == len(warmup):
            raise RuntimeError(f"every warm-up {which} failed; logs in {bench.logs}\n{stack.tail(bench, 'web')}\n"
                               f"{stack.tail(bench, 'worker')}")
        clean = not outcome.errors
    except asyncio.CancelledError:
        clean = True  # interrupted: nobody is told where the logs are, so do not leave them behind
        raise
    finally:
        peak = rss.stop() if rss is not None else 0
        stack.stop(bench)
        await standin.stop()
        await stack.flush_redis()
        if clean:
            shutil.rmtree(bench.logs, ignore_errors=True)
    if outcome.errors:
        print(f"fitzap bench {which}: {outcome.errors} failed or missing; logs kept in {bench.logs}", file=sys.stderr)
    # CPU per request is steadier than throughput on a machine shared with other work.
    return _figures(which, n, c, outcome, peak) | {f"{name}_cpu_ms_per_request": round(seconds * 1000 / n, 3)
                                                   for name, seconds in cpu.items()}


def _figures(which: str, n: int, c: int, outcome: load.Outcome, peak_rss_bytes: int) -> dict[str, Any]:
    done = sorted(outcome.latencies_s)
    return {
        "bench": which, "requests": n, "concurrency": c, "seconds": round(outcome.seconds, 3),
        "throughput_per_s": round(len(done) / outcome.seconds, 1) if outcome.seconds else 0.0,
        "p50_ms": _percentile_ms(done, 0.50), "p99_ms": _percentile_ms(done, 0.99),
        "peak_rss_mb": round(peak_rss_bytes / 2**20, 1), "errors": outcome.errors,
    }


def _processes(web: psutil.Process, worker: psutil.Process | None) -> dict[str, list[psutil.Process]]:
    """Every process whose CPU the figures report, by name; listed after the warm-up, once all are up.

    PostgreSQL and Redis count whole (backends and helpers): nothing else is expected to use them
    while a bench runs on its machine."""
    groups = {"web": [web]}
    if worker is not None:
        groups["worker"] = [worker, *worker.children(recursive=True)]
    return groups | {"postgres": _named("postgres"), "redis": _named("redis-server"), "bench": [psutil.Process()]}


def _named(name: str) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["name"]) if p.info["name"] == name]


@contextmanager
def _cpu_used(groups: dict[str, list[psutil.Process]]) -> Iterator[dict[str, float]]:
    """CPU seconds (user + system) each group spent inside the block, in the yielded dict once it ends."""
    used: dict[str, float] = {}
    before = {p.pid: _cpu_seconds(p) for procs in groups.values() for p in procs}
    yield used
    for name, procs in groups.items():
        used[name] = sum(_cpu_seconds(p) - before[p.pid] for p in procs if p.is_running())


def _cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def _percentile_ms(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted seconds, in milliseconds."""
    if not ordered:
        return None
    return round(ordered[max(0, math.ceil(q * len(ordered)) - 1)] * 1000, 2)


class PeakRss(threading.Thread):
    """Samples the RSS of a process every 50 ms, keeping the peak.

    `fitzap serve` is one process; listing children meant reading all of /proc each time, and the
    bench paid for it on the cores it shares with the stack under test."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self._process, self._every_s, self._done = psutil.Process(pid), every_s, threading.Event()
        self.peak_bytes = 0

    def run(self) -> None:
        while not self._done.wait(self._every_s):
            try:
                self.peak_bytes = max(self.peak_bytes, self._process.memory_info().rss)
            except psutil.Error:
                return  # the process is gone

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_bytes
