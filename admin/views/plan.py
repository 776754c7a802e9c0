"""The Plan page (owner only): the studio's FitZap plan, what it uses of it, and moving to another plan through the
platform's Stripe subscription (the demo's sandbox checkout in the demo)."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.flash import flash
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import business_of, public_origin
from admin.plan_words import allowance, limit_name, plan_name
from admin.read_models.plan_report import plan_report, too_big_for
from admin.views.settings_support import done, form_data
from domain.models import Business
from domain.platform import billing, plans
from gateways.base import PlanOrder, ProviderError
from runtime.keys import RUNTIME
from runtime.token_stamp import tokens_changed

routes = web.RouteTableDef()
PAGE = "admin/plan.html"
LIMITS = ("active_clients", "trainers", "automated_messages", "campaigns", "api_access")


@routes.get("/admin/plan", name="plan")
async def plan_page(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        report = await plan_report(session, business, runtime.clock.now())
    rows = [(limit_name(limit), [allowance(p, limit) for p in plans.all_plans()]) for limit in LIMITS]
    context: dict[str, Any] = {
        "business": business, "report": report, "plans": plans.all_plans(), "rows": rows, "plan_name": plan_name,
        "limit_name": limit_name, "can_pay": runtime.gateway is not None,
        "too_big": {p.name: too_big_for(report, p) for p in plans.all_plans()},
        # Back from a checkout: Stripe's event may come a moment after the studio does.
        "awaiting": request.query.get("paid") if request.query.get("paid") in plans.PLAN_NAMES else None,
    }
    return aiohttp_jinja2.render_template(PAGE, request, context)


@routes.post("/admin/plan/change", name="plan_change")
async def plan_change(request: web.Request) -> web.StreamResponse:
    """Start a subscription (checkout), move it to another paid plan, or cancel it for Free; never past the limits of
    what the studio has today."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    target = str((await form_data(request)).get("plan", ""))
    if target not in plans.PLAN_NAMES:
        raise web.HTTPBadRequest(text=_("Choose one of the plans on the page."))
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        report = await plan_report(session, business, runtime.clock.now())
    over = too_big_for(report, plans.plan_by_name(target))
    if over:
        words = "; ".join(_("%(what)s: %(used)s, the plan allows %(allowed)s", what=limit_name(m.limit), used=m.used,
                            allowed=m.allowed) for m in over)
        return _back(request, _("%(plan)s is too small for the studio today (%(over)s).", plan=plan_name(target), over=words))
    kind = billing.change_kind(business, target)
    if kind == "same":
        return _back(request, _("You are on %(plan)s already.", plan=plan_name(target)), "ok")
    if kind == "set":
        async with runtime.sessions.begin() as session:
            (await business_of(session, me)).plan = target
        await tokens_changed(runtime.redis)  # API processes read the plan again
        raise done(request, _("Your studio is on %(plan)s now.", plan=plan_name(target)), "plan")
    gateway = runtime.gateway
    if gateway is None:
        return _back(request, _("Plan changes need payments, which are not set up on this server. Ask its operator."))
    order = _order(request, business, target, me.email)
    try:
        if kind == "checkout":
            link = await gateway.plan_checkout(order)
            raise web.HTTPSeeOther(link.url)
        assert business.plan_subscription_id is not None
        if kind == "change":
            await gateway.change_plan(business.plan_subscription_id, order)
        else:
            await gateway.cancel_plan(business.plan_subscription_id)
    except ProviderError as error:
        return _back(request, _("The payment provider refused: %(reason)s", reason=str(error)))
    if kind == "change":
        async with runtime.sessions.begin() as session:  # Stripe took it; its event confirms the same
            changed = await business_of(session, me)
            changed.plan, changed.plan_status, changed.plan_ends_on = target, "active", None
        await tokens_changed(runtime.redis)
        raise done(request, _("Your studio is on %(plan)s now; the difference is prorated on the next invoice.",
                              plan=plan_name(target)), "plan")
    raise done(request, _("Your subscription is cancelled: the studio moves to Free when the paid month ends."), "plan")


@routes.post("/admin/plan/card", name="plan_card")
async def plan_card(request: web.Request) -> web.StreamResponse:
    """Stripe's page to update the card the studio pays FitZap with."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)
    async with runtime.sessions() as session:
        business = await business_of(session, me)
    if runtime.gateway is None or business.plan_customer_id is None:
        return _back(request, _("There is no card on file for this studio."))
    try:
        url = await runtime.gateway.card_update(None, business.plan_customer_id, f"{public_origin(request)}/admin/plan")
    except ProviderError as error:
        return _back(request, _("The payment provider refused: %(reason)s", reason=str(error)))
    raise web.HTTPSeeOther(url)


def _order(request: web.Request, business: Business, target: str, email: str) -> PlanOrder:
    plan = plans.plan_by_name(target)
    origin = request.app[RUNTIME].settings.public_url or public_origin(request)
    return PlanOrder(business_id=business.id, plan=target, label=f"FitZap {plan_name(target)}", amount_cents=plan.price_cents,
                     currency=plan.currency, price_id=plan.stripe_price_id, metadata=billing.metadata(business.id, target),
                     customer=business.plan_customer_id, email=email, success_url=f"{origin}/admin/plan?paid={target}",
                     cancel_url=f"{origin}/admin/plan", locale=business.locale)


def _back(request: web.Request, message: str, kind: str = "error") -> web.StreamResponse:
    flash(request, message, kind)
    raise web.HTTPSeeOther(str(request.app.router["plan"].url_for()))
