"""`GET /metrics` in Prometheus' text format.

The backlog is read from PostgreSQL, the source of truth, so any web process reports the whole
deployment's queues, whichever worker or scheduler is behind; the counters are this process's own.
Who may scrape: with METRICS_TOKEN, whoever sends it; else anyone with METRICS_PUBLIC=true or on the
demo's loopback; else nobody (404, and `fitzap serve` says so at start).
"""
from __future__ import annotations

import hmac
import logging
from typing import Literal

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from bot.keys import METRICS
from domain.messaging.backlog import read_backlog
from runtime.keys import LOOPBACK_ONLY, RUNTIME, SETTINGS

log = logging.getLogger(__name__)


async def metrics(request: web.Request) -> web.Response:
    """The figures in Prometheus' text format; behind a bearer token when METRICS_TOKEN is set."""
    access = metrics_access(request.app)
    if access == "off":
        raise web.HTTPNotFound()
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


def metrics_access(app: web.Application) -> Literal["token", "open", "off"]:
    """Who may scrape: the token's holders, anyone (METRICS_PUBLIC, or the demo on loopback), or nobody."""
    settings = app[SETTINGS]
    if settings.metrics_token is not None:
        return "token"
    if settings.metrics_public or (settings.mode == "demo" and app.get(LOOPBACK_ONLY, False)):
        return "open"
    return "off"


async def say_when_metrics_are_off(app: web.Application) -> None:
    """At start-up: one line, so an empty dashboard is not a mystery."""
    if metrics_access(app) == "off":
        log.warning("/metrics is off (404) until METRICS_TOKEN or METRICS_PUBLIC=true is set")
