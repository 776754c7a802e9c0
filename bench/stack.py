"""Starting and stopping the stack under test: a fresh database, Redis, `fitzap serve` and workers."""
from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import asyncpg
from redis.asyncio import Redis

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "fitzap_bench"
DATABASE_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/14"
READY_TIMEOUT_S = 30.0
# `fitzap worker` sizing for `turns` on 2 cores: since turns send their own replies, one process's
# loop uses about one core at the stack's limit, and a second process only competes with the web
# process and PostgreSQL for the other: same throughput, worse p99 (docs/performance.md).
WORKER_ARGS = os.environ.get("BENCH_WORKER_ARGS", "--processes 1 --threads 8").split()


@dataclass
class Stack:
    env: dict[str, str]
    app_secret: str
    token: str
    phone_number_id: str
    web_url: str = ""
    logs: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="fitzap-bench-")))
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)


def new_stack() -> Stack:
    """Environment for a production-mode stack with real-looking secrets made for this run.

    WHATSAPP_API_BASE_URL is added once the Graph stand-in has its port.
    """
    app_secret, token = secrets.token_hex(16), "EAAB" + secrets.token_urlsafe(48)
    env = dict(os.environ) | {
        "FITZAP_MODE": "production", "FITZAP_CHANNEL": "cloud_api", "DATABASE_URL": DATABASE_URL, "REDIS_URL": REDIS_URL,
        "WHATSAPP_TOKEN": token, "WHATSAPP_APP_SECRET": app_secret,
        "WHATSAPP_VERIFY_TOKEN": secrets.token_urlsafe(24), "SECRET_KEY": secrets.token_urlsafe(32),
        "WHATSAPP_SEND_RATE_PER_S": "10000",  # the bench measures us, not Meta's pacing
        "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1",
    }
    return Stack(env, app_secret, token, phone_number_id="1" + "".join(secrets.choice("0123456789") for _ in range(14)))


async def prepare_data(stack: Stack) -> None:
    """Recreate the bench database at the latest schema with one business; empty Redis db 14."""
    from domain.models import Business
    from domain.sql.db import create_engine, create_sessionmaker
    from migrations.runner import upgrade

    conn = await asyncpg.connect(PG_ADMIN_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await conn.close()
    await asyncio.to_thread(upgrade, DATABASE_URL)  # Alembic's env runs its own event loop
    engine = create_engine(DATABASE_URL, pool_size=1)
    try:
        async with create_sessionmaker(engine).begin() as session:
            session.add(Business(name="Studio Bench", phone_number_id=stack.phone_number_id, timezone="America/Sao_Paulo",
                                 locale="pt-BR", currency="BRL", created_at=datetime.now(UTC)))
    finally:
        await engine.dispose()
    await flush_redis()


async def flush_redis() -> None:
    """Empty the bench's Redis database (queues left from a run would wake the next run's workers)."""
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


def _fitzap() -> list[str]:
    script = Path(sys.executable).with_name("fitzap")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from cli.main import main; main()"]


def _spawn(stack: Stack, name: str, args: list[str]) -> subprocess.Popen[bytes]:
    log = open(stack.logs / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it from here
    # A session of its own: Ctrl-C reaches only the bench, and killpg stops the child's children too.
    proc = subprocess.Popen(_fitzap() + args, env=stack.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    stack.procs.append(proc)
    return proc


async def start_web(stack: Stack, processes: int = 1) -> subprocess.Popen[bytes]:
    """`fitzap serve` (`--processes` of it) on a free port; returns once /readyz answers 200."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = _spawn(stack, "web", ["serve", "--host", "127.0.0.1", "--port", str(port), "--processes", str(processes)])
    stack.web_url = f"http://127.0.0.1:{port}"
    deadline = asyncio.get_running_loop().time() + READY_TIMEOUT_S
    async with aiohttp.ClientSession() as http:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"fitzap serve exited with {proc.returncode} (logs in {stack.logs}):\n{tail(stack, 'web')}")
            try:
                async with http.get(f"{stack.web_url}/readyz") as response:
                    if response.status == 200:
                        return proc
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"fitzap serve not ready after {READY_TIMEOUT_S:.0f}s (logs in {stack.logs}):\n{tail(stack, 'web')}")
            await asyncio.sleep(0.1)


def start_worker(stack: Stack) -> subprocess.Popen[bytes]:
    return _spawn(stack, "worker", ["worker", *WORKER_ARGS])


def tail(stack: Stack, name: str, lines: int = 30) -> str:
    path = stack.logs / f"{name}.log"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def stop(stack: Stack, grace_s: float = 10.0) -> None:
    """SIGTERM every process group we started, then SIGKILL whatever is still there."""
    for proc in stack.procs:
        _signal_group(proc, signal.SIGTERM)
    for proc in stack.procs:
        try:
            proc.wait(grace_s)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(proc, signal.SIGKILL)  # also reaches children that outlived their parent
        proc.wait()
    stack.procs.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)  # the group id is the child's pid (start_new_session)
    except (ProcessLookupError, PermissionError):
        pass
