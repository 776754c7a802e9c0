"""The web edge on the app: the WhatsApp and Stripe webhooks, payment links, health, metrics, the sandbox
outbox and checkout, and calendars."""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from bot.health import healthz, readyz
from bot.ical_routes import booking_calendar, trainer_calendar
from bot.inbound_store import InboundStore
from bot.keys import INBOUND_STORE, METRICS
from bot.metrics import WebMetrics
from bot.metrics_route import metrics, say_when_metrics_are_off
from bot.pay_links import card_link, pay_link
from bot.sandbox_checkout import checkout_page, checkout_pay
from bot.sandbox_emails import sandbox_emails
from bot.sandbox_plan_checkout import plan_checkout_page, plan_checkout_pay
from bot.sandbox_routes import sandbox_messages
from bot.wake_ups import WakeUps
from bot.webhook_stripe import receive_stripe
from bot.webhook_whatsapp import receive, verify_subscription
from runtime.keys import RUNTIME, SETTINGS


def setup_edge(app: web.Application) -> None:
    """Add the edge's routes; its webhook store starts with the app's runtime (set by an earlier context)."""
    app[METRICS] = WebMetrics()
    app.on_startup.append(say_when_metrics_are_off)
    app.cleanup_ctx.append(_inbound_store)
    app.router.add_get("/webhooks/whatsapp", verify_subscription)
    app.router.add_post("/webhooks/whatsapp", receive, name="whatsapp_webhook")
    app.router.add_post("/webhooks/stripe", receive_stripe, name="stripe_webhook")
    app.router.add_get("/pay/{token}", pay_link)
    app.router.add_get("/pay/{token}/card", card_link)
    app.router.add_get("/sandbox/checkout/{session_id}", checkout_page)
    app.router.add_post("/sandbox/checkout/{session_id}", checkout_pay)
    app.router.add_get("/sandbox/plan-checkout/{session_id}", plan_checkout_page)
    app.router.add_post("/sandbox/plan-checkout/{session_id}", plan_checkout_pay)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/sandbox/messages", sandbox_messages)
    app.router.add_get("/sandbox/emails", sandbox_emails)
    app.router.add_get(r"/ical/trainers/{token:[A-Za-z0-9_-]{1,100}}.ics", trainer_calendar)
    app.router.add_get(r"/ical/bookings/{booking_id:\d+}/{signature}.ics", booking_calendar)
    app.router.add_get("/", _home)


async def _inbound_store(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    wake_ups = WakeUps(runtime.wake, runtime.settings.wake_up_every_ms / 1000)
    app[INBOUND_STORE] = InboundStore(runtime, wake_ups)
    yield
    await wake_ups.close()  # what is still waiting goes now: the rows are durable, but the sweeper is slower


async def _home(request: web.Request) -> web.Response:
    if request.app[SETTINGS].channel == "sandbox":
        raise web.HTTPFound("/simulator")
    return web.json_response({"service": "fitzap", "health": "/healthz", "ready": "/readyz"})
