"""GET /pay/<token>: the chat's payment link. Unpaid, it opens the provider's checkout for the
purchase (made on click, so a turn never waits on Stripe); paid, it is the client's receipt."""
from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from bot.pages import page
from conversations.dates import when
from conversations.money import money
from domain.models import Business, Client, Membership, Product, Purchase
from domain.payments import purchases
from gateways.base import CheckoutOrder, ProviderError
from runtime.keys import RUNTIME

log = logging.getLogger(__name__)
MAX_TOKEN = 64


async def pay_link(request: web.Request) -> web.StreamResponse:
    runtime = request.app[RUNTIME]
    purchase, business, product = await _purchase(request)
    async with runtime.sessions() as session:
        locale = await page_locale(session, purchase, business)
    shown = {"purchase": purchase, "product": product, "business": business, "en": locale != "pt-BR",
             "price": money(purchase.amount_cents, purchase.currency, locale),
             "paid_on": when(purchase.paid_at, business.timezone, locale) if purchase.paid_at else None}
    if purchase.status in ("paid", "refunded") or runtime.gateway is None:
        return page("receipt.html", **shown, payments_off=runtime.gateway is None)
    base = runtime.settings.public_url
    order = CheckoutOrder(purchase_token=purchase.token, product_name=product.name, amount_cents=purchase.amount_cents,
                          currency=purchase.currency, account=business.stripe_account_id,
                          success_url=f"{base}/pay/{purchase.token}?done=1", cancel_url=f"{base}/pay/{purchase.token}?cancelled=1",
                          locale=locale, recurring=product.period if product.kind == "membership" else None)
    if request.query.get("cancelled"):
        return page("receipt.html", **shown, cancelled=True)
    if request.query.get("done"):  # back from paying: the provider's event may not be applied yet
        return page("receipt.html", **shown, confirming=True)
    try:
        link = await runtime.gateway.checkout(order)
    except ProviderError as error:
        log.warning("checkout for purchase %s failed: %s", purchase.id, error)
        return page("receipt.html", status=502, **shown, provider_error=str(error))
    async with runtime.sessions.begin() as session:
        await purchases.attach_checkout(session, purchase.id, link.session_id)
    raise web.HTTPSeeOther(link.url)


async def card_link(request: web.Request) -> web.StreamResponse:
    """GET /pay/<token>/card: the dunning messages' link; Stripe's page where a subscriber updates the card."""
    runtime = request.app[RUNTIME]
    purchase, business, _ = await _purchase(request)
    async with runtime.sessions() as session:
        plan = await session.get(Membership, purchase.membership_id) if purchase.membership_id else None
    if plan is None or plan.stripe_customer_id is None or runtime.gateway is None:
        raise web.HTTPSeeOther(f"/pay/{purchase.token}")
    try:
        url = await runtime.gateway.card_update(business.stripe_account_id, plan.stripe_customer_id,
                                                f"{runtime.settings.public_url}/pay/{purchase.token}")
    except ProviderError as error:
        log.warning("card update for purchase %s failed: %s", purchase.id, error)
        raise web.HTTPSeeOther(f"/pay/{purchase.token}") from None
    raise web.HTTPSeeOther(url)


async def page_locale(session: AsyncSession, purchase: Purchase, business: Business) -> str:
    """The language the client chats in, else the business's."""
    client = await session.get(Client, purchase.client_id)
    return (client.locale if client else None) or business.locale


async def _purchase(request: web.Request) -> tuple[Purchase, Business, Product]:
    """The purchase the link's token names, with its business and product; 404 for any other token."""
    token = request.match_info["token"]
    if len(token) > MAX_TOKEN:
        raise web.HTTPNotFound()
    async with request.app[RUNTIME].sessions() as session:
        purchase = await purchases.by_token(session, token)
        if purchase is None:
            raise web.HTTPNotFound()
        business = await session.get(Business, purchase.business_id)
        product = await session.get(Product, purchase.product_id)
    assert business is not None and product is not None
    return purchase, business, product
