"""/sandbox/checkout/<session>: the demo's stand-in for Stripe's checkout page.

Paying posts Stripe-shaped events, signed with the demo's webhook secret, to its own
`POST /webhooks/stripe` (gateways.sandbox): the purchase completes through the same path as a real one.
"""
from __future__ import annotations

from aiohttp import web

from bot.pages import page
from bot.pay_links import page_locale
from conversations.money import money
from domain.models import Business, Product, Purchase
from domain.payments import purchases
from gateways import sandbox
from gateways.base import ProviderError
from runtime.keys import RUNTIME

# What the page's buttons do: the events Stripe would send for each.
OUTCOMES = {
    "card": ("checkout.session.completed",),
    "pix": ("checkout.session.completed", "checkout.session.async_payment_succeeded"),
    "pix_expired": ("checkout.session.completed", "checkout.session.async_payment_failed"),
}


async def checkout_page(request: web.Request) -> web.Response:
    purchase, business, product = await _checkout(request)
    async with request.app[RUNTIME].sessions() as session:
        locale = await page_locale(session, purchase, business)
    return page("sandbox_checkout.html", purchase=purchase, product=product, business=business, en=locale != "pt-BR",
                price=money(purchase.amount_cents, purchase.currency, locale), pix=purchase.currency == "BRL")


async def checkout_pay(request: web.Request) -> web.Response:
    purchase, business, _ = await _checkout(request)
    choice = str((await request.post()).get("method", ""))
    if choice not in OUTCOMES or (choice != "card" and purchase.currency != "BRL"):
        raise web.HTTPBadRequest(text="choose card or PIX")
    gateway = request.app[RUNTIME].gateway
    assert isinstance(gateway, sandbox.SandboxGateway)
    session_id = request.match_info["session_id"]
    for kind in OUTCOMES[choice]:
        paid_now = kind == "checkout.session.completed" and choice == "card"
        obj = sandbox.checkout_object(session_id, purchase.token, purchase.amount_cents, purchase.currency,
                                      paid=paid_now or kind.endswith("succeeded"))
        try:
            await gateway.send(sandbox.event(kind, obj, business.stripe_account_id))
        except ProviderError as error:
            raise web.HTTPBadGateway(text=str(error)) from None
    raise web.HTTPSeeOther(f"/pay/{purchase.token}?done=1")


async def _checkout(request: web.Request) -> tuple[Purchase, Business, Product]:
    runtime = request.app[RUNTIME]
    session_id = request.match_info["session_id"]
    if runtime.settings.payments != "sandbox" or not session_id.startswith(sandbox.SESSION_PREFIX):
        raise web.HTTPNotFound()
    async with runtime.sessions() as session:
        purchase = await purchases.by_token(session, session_id.removeprefix(sandbox.SESSION_PREFIX)[:64])
        if purchase is None or purchase.checkout_session_id != session_id:
            raise web.HTTPNotFound()
        business = await session.get(Business, purchase.business_id)
        product = await session.get(Product, purchase.product_id)
    assert business is not None and product is not None
    return purchase, business, product
