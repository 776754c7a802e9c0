"""Webhooks (owners): endpoints that receive the business's events (add, edit, deactivate, roll the secret, send a
test), and the deliveries with every attempt, by status, with a retry for a failed one."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.flash import flash
from admin.forms.webhooks import WebhookForm
from admin.i18n import _
from admin.identity import Identity, require_owner
from admin.page_support import business_of, local_time, page_number
from admin.read_models import webhook_deliveries
from admin.views.settings_support import done, form_data, invalid, not_found_as_404, owner_form, row_id
from domain.webhooks import deliveries, endpoints
from domain.webhooks.endpoints import EVENTS, BadWebhookUrl
from runtime.keys import RUNTIME
from runtime.resources import Runtime
from runtime.settings import Settings

routes = web.RouteTableDef()
PAGE = "admin/webhooks.html"
EDIT_PAGE = "admin/webhook_edit.html"
SECRET_PAGE = "admin/webhook_secret.html"


def event_names() -> dict[str, str]:
    return {"booking.created": _("Booking made"), "booking.moved": _("Booking moved"),
            "booking.cancelled": _("Booking cancelled"), "checkin.created": _("Check-in"),
            "payment.succeeded": _("Payment received"), "client.at_risk": _("Client at risk of leaving"),
            deliveries.TEST_EVENT: _("Test event")}


def status_names() -> dict[str, str]:
    return {"pending": _("pending"), "delivered": _("delivered"), "failed": _("failed")}


def url_problem(error: BadWebhookUrl) -> str:
    return {"not_https": _("Use an https:// address."),
            "local_address": _("Use a public address: this one points inside a private network."),
            "unresolvable": _("That host name cannot be found: check the address."),
            "too_long": _("Use at most %(count)s characters.", count=endpoints.MAX_URL)}.get(
        error.reason, _("That is not a web address (https://…)."))


def _allow_http(settings: Settings) -> bool:
    return settings.mode == "demo"


async def _url_errors(runtime: Runtime, url: str) -> dict[str, str]:
    """The form's error when the URL cannot take webhooks: its shape, or where its host resolves to now (looked up
    before any transaction opens, so no lock waits on DNS)."""
    allow = _allow_http(runtime.settings)
    try:
        await endpoints.check_reachable(endpoints.check_url(url, allow_http=allow), runtime.resolve, allow_local=allow)
    except BadWebhookUrl as error:
        return {"url": url_problem(error)}
    return {}


async def _context(request: web.Request, me: Identity, **overrides: Any) -> dict[str, Any]:
    status = request.query.get("status")
    status = status if status in deliveries.STATUSES else None
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        rows = await endpoints.of_business(session, me.business_id)
        counts = await webhook_deliveries.counts(session, me.business_id)
        total = counts.get(status, 0) if status else sum(counts.values())
        sent = await webhook_deliveries.of_business(session, me.business_id, status=status, page=page_number(request),
                                                    total=total)
    context: dict[str, Any] = {"endpoints": rows, "urls": {e.id: e.url for e in rows}, "deliveries": sent, "counts": counts,
                               "status": status, "statuses": deliveries.STATUSES, "event_types": EVENTS,
                               "event_names": event_names(), "status_names": status_names(),
                               "at": local_time(business.timezone), "values": {"events": []}, "errors": {},
                               "kept_days": deliveries.KEEP_FOR.days}
    context.update(overrides)
    return context


@routes.get("/admin/webhooks", name="webhooks")
async def webhooks_page(request: web.Request) -> web.Response:
    me = require_owner(request)
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request, me))


@routes.post("/admin/webhooks", name="webhook_add")
async def webhook_add(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, WebhookForm, many=("events",))
    runtime = request.app[RUNTIME]
    if form is not None and not (errors := await _url_errors(runtime, form.url)):
        async with runtime.sessions.begin() as session:
            endpoint, secret = await endpoints.create(
                session, me.business_id, form.url, form.events, runtime.clock.now(),
                secret_key=runtime.settings.secret_key.get_secret_value(), allow_http=_allow_http(runtime.settings))
        return _secret_page(request, endpoint.url, secret, _("Endpoint added."))
    return invalid(PAGE, request, await _context(request, me, values=data, errors=errors))


def _secret_page(request: web.Request, url: str, secret: str, said: str) -> web.Response:
    """The secret, shown this once (never stored in clear, never in a cookie); the page is not cached."""
    response = aiohttp_jinja2.render_template(SECRET_PAGE, request, {"url": url, "secret": secret, "said": said})
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get(r"/admin/webhooks/{endpoint_id:\d+}", name="webhook")
async def webhook_page(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            endpoint = await endpoints.get(session, me.business_id, row_id(request, "endpoint_id"))
    return aiohttp_jinja2.render_template(EDIT_PAGE, request, _edit_context(endpoint.id, endpoint.active,
                                                                              {"url": endpoint.url, "events": endpoint.events}, {}))


def _edit_context(endpoint_id: int, active: bool, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    return {"endpoint_id": endpoint_id, "active": active, "values": values, "errors": errors, "event_types": EVENTS,
            "event_names": event_names()}


@routes.post(r"/admin/webhooks/{endpoint_id:\d+}", name="webhook_save")
async def webhook_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, WebhookForm, many=("events",))
    runtime = request.app[RUNTIME]
    endpoint_id = row_id(request, "endpoint_id")
    async with runtime.sessions() as session:
        with not_found_as_404():
            endpoint = await endpoints.get(session, me.business_id, endpoint_id)
    if form is not None and not (errors := await _url_errors(runtime, form.url)):
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await endpoints.update(session, me.business_id, endpoint_id, form.url, form.events, runtime.clock.now(),
                                       allow_http=_allow_http(runtime.settings))
    if errors:
        return invalid(EDIT_PAGE, request, _edit_context(endpoint_id, endpoint.active, data, errors))
    raise done(request, _("Endpoint saved."), "webhooks")


@routes.post(r"/admin/webhooks/{endpoint_id:\d+}/active", name="webhook_active")
async def webhook_active(request: web.Request) -> web.Response:
    me = require_owner(request)
    active = (await form_data(request)).get("active") == "1"
    runtime = request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            await endpoints.set_active(session, me.business_id, row_id(request, "endpoint_id"), active, runtime.clock.now())
    raise done(request, _("Endpoint reactivated.") if active else _("Endpoint deactivated: it gets no more events."),
               "webhooks")


@routes.post(r"/admin/webhooks/{endpoint_id:\d+}/roll", name="webhook_roll")
async def webhook_roll(request: web.Request) -> web.Response:
    me = require_owner(request)
    runtime = request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            endpoint, secret = await endpoints.roll_secret(session, me.business_id, row_id(request, "endpoint_id"),
                                                           runtime.clock.now(),
                                                           secret_key=runtime.settings.secret_key.get_secret_value())
    return _secret_page(request, endpoint.url, secret, _("New secret made: the old one no longer signs."))


@routes.post(r"/admin/webhooks/{endpoint_id:\d+}/test", name="webhook_test")
async def webhook_test(request: web.Request) -> web.Response:
    me = require_owner(request)
    runtime = request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            await deliveries.send_test(session, me.business_id, row_id(request, "endpoint_id"), runtime.clock.now())
    await runtime.wake.webhooks()
    raise done(request, _("Test event queued; its attempt shows below in a moment."), "webhooks")


@routes.post(r"/admin/webhooks/deliveries/{delivery_id:\d+}/retry", name="webhook_retry")
async def webhook_retry(request: web.Request) -> web.Response:
    me = require_owner(request)
    runtime = request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await deliveries.retry_now(session, me.business_id, row_id(request, "delivery_id"), runtime.clock.now())
    except deliveries.NotRetryable:
        flash(request, _("Only a failed delivery can be sent again."), kind="error")
        raise web.HTTPFound(request.app.router["webhooks"].url_for()) from None
    await runtime.wake.webhooks()
    raise done(request, _("Delivery queued again; it will be sent in a moment."), "webhooks")
