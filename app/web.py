"""The aiohttp application factory: webhook, health, sandbox, simulator and admin panel routes."""
from __future__ import annotations

from typing import AsyncIterator

import aiohttp_jinja2
import dramatiq
import jinja2
from aiohttp import web

from admin.panel import setup_admin
from admin.simulator import simulator_page, simulator_send
from bot.health import healthz, readyz
from bot.ical_routes import booking_calendar, trainer_calendar
from bot.group_commit import GroupCommit
from bot.keys import ENQUEUER, GROUP_COMMIT, METRICS, RUNTIME, SETTINGS
from bot.metrics import WebMetrics
from bot.metrics_route import metrics
from runtime.resources import RuntimeProvider
from bot.sandbox_routes import sandbox_messages
from runtime.settings import Settings
from bot.wake_ups import WakeUps
from bot.webhook_whatsapp import receive, verify_subscription
from runtime.wake import Enqueuer

# Meta's webhook bodies are small; anything near this is not from Meta.
MAX_BODY_BYTES = 1024 * 1024


def create_app(settings: Settings, runtimes: RuntimeProvider, broker: dramatiq.Broker) -> web.Application:
    """Build the web app; its Runtime is made in the app's own loop at start-up."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[METRICS] = WebMetrics()
    aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("admin", "templates"), autoescape=True)
    setup_admin(app, settings)

    async def runtime_ctx(app: web.Application) -> AsyncIterator[None]:
        app[RUNTIME] = await runtimes.get()
        app[ENQUEUER] = Enqueuer(broker, app[RUNTIME].redis)
        wake_ups = WakeUps(app[ENQUEUER], settings.wake_up_every_ms / 1000)
        app[GROUP_COMMIT] = GroupCommit(app[RUNTIME], wake_ups)
        yield
        await wake_ups.close()
        await runtimes.close_current()

    app.cleanup_ctx.append(runtime_ctx)
    app.router.add_get("/webhooks/whatsapp", verify_subscription)
    app.router.add_post("/webhooks/whatsapp", receive, name="whatsapp_webhook")
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/sandbox/messages", sandbox_messages)
    app.router.add_get("/simulator", simulator_page)
    app.router.add_post("/simulator/send", simulator_send)
    app.router.add_get("/ical/trainers/{token}.ics", trainer_calendar)
    app.router.add_get(r"/ical/bookings/{booking_id:\d+}/{signature}.ics", booking_calendar)
    app.router.add_get("/", _home)
    return app


async def _home(request: web.Request) -> web.Response:
    if request.app[SETTINGS].channel == "sandbox":
        raise web.HTTPFound("/simulator")
    return web.json_response({"service": "fitzap", "health": "/healthz", "ready": "/readyz"})
