"""Stripe in the tests: products to sell, signed events posted to our webhook, Stripe's API answered by respx."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import respx
from sqlalchemy import select

from domain.models import Product, Purchase
from domain.payments import products
from gateways import sandbox
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.support import drain

STRIPE_API = "https://api.stripe.com"
# What each way of paying makes Stripe send, in order.
PAYMENTS = {
    "card": [("checkout.session.completed", True)],
    "pix_pending": [("checkout.session.completed", False)],
    "pix_succeeded": [("checkout.session.async_payment_succeeded", True)],
    "pix_failed": [("checkout.session.async_payment_failed", False)],
    "expired": [("checkout.session.expired", False)],
}


async def add_demo_products(session: Any, business_id: int, now: datetime) -> dict[str, Product]:
    """A pack, a monthly plan and a drop-in, as a studio would sell them."""
    return {
        "pack": await products.add_product(session, business_id, now, kind="pack", name="Pacote 10 aulas", price_cents=45000,
                                           credits=10, validity_days=60),
        "plan": await products.add_product(session, business_id, now, kind="membership", name="Plano mensal", price_cents=19900,
                                           period="month"),
        "drop_in": await products.add_product(session, business_id, now, kind="drop_in", name="Aula avulsa", price_cents=6000),
    }


def stripe_event(kind: str, purchase: Purchase, *, paid: bool, account: str | None = None, event_id: str | None = None) -> dict[str, Any]:
    """The event Stripe sends about the purchase's checkout (or its charge, for refunds and disputes)."""
    if kind.startswith("charge."):
        obj = sandbox.refund_object(purchase.token)
        if kind == "charge.dispute.closed":
            obj = {"id": "dp_1", "object": "dispute", "status": "lost", "payment_intent": obj["payment_intent"]}
    else:
        session_id = purchase.checkout_session_id or sandbox.SESSION_PREFIX + purchase.token
        obj = sandbox.checkout_object(session_id, purchase.token, purchase.amount_cents, purchase.currency, paid=paid)
    event = sandbox.event(kind, obj, account)
    if event_id:
        event["id"] = event_id
    return event


def signed_event(event: dict[str, Any], *, secret: str = STRIPE_WEBHOOK_SECRET, at: int | None = None) -> tuple[bytes, dict[str, str]]:
    body, signature = sandbox.signed(event, secret, at)
    return body, {"Content-Type": "application/json", "Stripe-Signature": signature}


async def post_event(web: Any, event: dict[str, Any], **signing: Any) -> Any:
    body, headers = signed_event(event, **signing)
    return await web.post("/webhooks/stripe", data=body, headers=headers)


async def last_purchase(runtime: Any) -> Purchase:
    async with runtime.sessions() as session:
        return (await session.execute(select(Purchase).order_by(Purchase.id.desc()).limit(1))).scalar_one()


async def pay_last_purchase(web: Any, runtime: Any, broker: Any, how: str) -> None:
    """Stripe's events for the newest purchase, posted and applied (the payments actor drained)."""
    purchase = await last_purchase(runtime)
    for kind, paid in PAYMENTS[how]:
        response = await post_event(web, stripe_event(kind, purchase, paid=paid))
        assert response.status == 200, await response.text()
    await drain(broker, runtime)


def mock_checkout(router: respx.MockRouter, session_id: str = "cs_test_1",
                  url: str = "https://checkout.stripe.com/c/pay/cs_test_1") -> respx.Route:
    """Stripe answering POST /v1/checkout/sessions."""
    return router.post(f"{STRIPE_API}/v1/checkout/sessions").mock(
        return_value=httpx.Response(200, json={"id": session_id, "object": "checkout.session", "url": url}))
