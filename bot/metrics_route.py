"""`GET /metrics` in Prometheus' text format.

The backlog is read from PostgreSQL, the source of truth, so any web process reports the whole
deployment's queues, whichever worker or scheduler is behind; the counters are this process's own.
"""
from __future__ import annotations

import hmac
import logging

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.keys import METRICS
from domain.messaging.backlog import read_backlog
from runtime.keys import RUNTIME, SETTINGS

log = logging.getLogger(__name__)


async def metrics(request: web.Request) -> web.Response:
    """The figures in Prometheus' text format; behind a bearer token when METRICS_TOKEN is set."""
    token = request.app[SETTINGS].metrics_token
    if token is not None and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), f"Bearer {token.get_secret_value()}".encode()):
        return web.json_response({"error": "metrics need the bearer token"}, status=401)
    figures, runtime = request.app[METRICS], request.app[RUNTIME]
    try:
        async with runtime.sessions() as session:
            figures.set_backlog(await read_backlog(session, runtime.clock.now()))
        figures.database_up.set(1)
    except Exception as exc:  # the process's own figures are still worth a scrape
        log.warning("metrics: could not read the backlog: %s", type(exc).__name__)
        figures.database_up.set(0)
    return web.Response(body=generate_latest(figures.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
