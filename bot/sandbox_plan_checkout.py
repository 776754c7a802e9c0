"""/sandbox/plan-checkout/<session>: the demo's stand-in for Stripe's checkout of a studio's FitZap plan.

Paying posts the event Stripe would send, signed, to the demo's own `POST /webhooks/stripe`, so the plan
changes through the same path as a real subscription (domain.platform.billing).
"""
from __future__ import annotations

import re

from aiohttp import web

from bot.pages import page
from conversations.money import money
from domain.models import Business
from domain.platform import billing, plans
from gateways import sandbox
from gateways.base import ProviderError
from runtime.keys import RUNTIME

_SESSION = re.compile(re.escape(sandbox.PLAN_SESSION_PREFIX) + r"(\d{1,18})_([a-z]+)_([0-9a-f]{12})")


async def plan_checkout_page(request: web.Request) -> web.Response:
    business, plan, _ = await _checkout(request)
    en = business.locale != "pt-BR"
    return page("sandbox_plan_checkout.html", business=business, plan=plan, en=en,
                price=money(plan.price_cents, plan.currency, business.locale))


async def plan_checkout_pay(request: web.Request) -> web.Response:
    business, plan, session_id = await _checkout(request)
    gateway = request.app[RUNTIME].gateway
    assert isinstance(gateway, sandbox.SandboxGateway)
    suffix = session_id.rsplit("_", 1)[1]
    obj = {"id": session_id, "object": "checkout.session", "mode": "subscription", "payment_status": "paid",
           "client_reference_id": f"plan:{business.id}", "metadata": billing.metadata(business.id, plan.name),
           "subscription": f"sub_sandbox_{suffix}", "customer": f"cus_sandbox_{business.id}"}
    try:
        await gateway.send(sandbox.event("checkout.session.completed", obj))
    except ProviderError as error:
        raise web.HTTPBadGateway(text=str(error)) from None
    raise web.HTTPSeeOther(f"/admin/plan?paid={plan.name}")


async def _checkout(request: web.Request) -> tuple[Business, plans.Plan, str]:
    runtime = request.app[RUNTIME]
    session_id = request.match_info["session_id"]
    found = _SESSION.fullmatch(session_id)
    if runtime.settings.payments != "sandbox" or found is None or found[2] not in plans.PLAN_NAMES:
        raise web.HTTPNotFound()
    async with runtime.sessions() as session:
        business = await session.get(Business, int(found[1]))
    if business is None:
        raise web.HTTPNotFound()
    return business, plans.plan_by_name(found[2]), session_id
