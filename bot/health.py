"""/healthz (the process is up) and /readyz (its database and Redis answer)."""
from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import text

from runtime.keys import RUNTIME

_CHECK_TIMEOUT_S = 2.0


async def healthz(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """200 when every dependency answers; 503 naming the ones that did not."""
    runtime = request.app[RUNTIME]
    checks: dict[str, str] = {}
    try:
        async with asyncio.timeout(_CHECK_TIMEOUT_S), runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"failed: {type(exc).__name__}"
    if runtime.redis is not None:
        try:
            async with asyncio.timeout(_CHECK_TIMEOUT_S):
                await runtime.redis.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"failed: {type(exc).__name__}"
    failed = sorted(name for name, result in checks.items() if result != "ok")
    return web.json_response({"status": "ok" if not failed else "failed", "failed": failed, "checks": checks},
                             status=503 if failed else 200)
