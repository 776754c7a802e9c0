"""Memberships billed by Stripe subscriptions: checkout in subscription mode, renewals, dunning on days
0, 3 and 7 that stops once paid, the grace period, cancellation at the period's end."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import respx
from sqlalchemy import select

from domain.models import Business, Client, Membership, OutboundMessage, Purchase, ScheduledMessage
from domain.payments import purchases
from domain.scheduling import memberships
from tests.conftest import PUBLIC_URL
from tests.settings_support import as_owner
from tests.stripe_support import STRIPE_API, add_demo_products, mock_checkout, post_event
from tests.support import drain
from tests.webhook_support import deliveries_of, endpoint
from workers.due_work import run_due


@pytest.fixture
async def shop(runtime, business, clock):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        shop.quiet_start_min = shop.quiet_end_min = 0  # no quiet hours: the test's clock may be at night
        client = Client(business_id=business.id, contact_key="+5511987654321", wa_id="5511987654321",
                        phone_e164="+5511987654321", profile_name="Maria", last_inbound_at=clock.now(), created_at=clock.now())
        session.add(client)
        await session.flush()
        sold = await add_demo_products(session, business.id, clock.now())
        purchase = await purchases.start(session, shop, client.id, sold["plan"].id, clock.now())
    return {"client": client.id, "purchase": purchase}


def event(kind: str, obj: dict, event_id: str | None = None) -> dict:  # type: ignore[type-arg]
    return {"id": event_id or f"evt_{kind}_{time.monotonic_ns()}", "object": "event", "type": kind, "account": None,
            "data": {"object": obj}}


def completed(purchase: Purchase) -> dict:  # type: ignore[type-arg]
    return event("checkout.session.completed", {
        "id": "cs_sub_1", "object": "checkout.session", "mode": "subscription", "payment_status": "paid",
        "client_reference_id": purchase.token, "metadata": {"purchase_token": purchase.token},
        "subscription": "sub_1", "customer": "cus_1"})


def invoice(kind: str, reason: str = "subscription_cycle", period_end: int | None = None) -> dict:  # type: ignore[type-arg]
    obj = {"id": f"in_{time.monotonic_ns()}", "object": "invoice", "billing_reason": reason, "customer": "cus_1",
           "parent": {"subscription_details": {"subscription": "sub_1"}}}
    if period_end:
        obj["lines"] = {"data": [{"period": {"start": period_end - 30 * 86400, "end": period_end}}]}
    return event(kind, obj)


async def plan_of(runtime, shop) -> Membership:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        purchase = await session.get(Purchase, shop["purchase"].id)
        return await session.get(Membership, purchase.membership_id)


async def texts(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage.body).where(OutboundMessage.kind == "text")
                                           .order_by(OutboundMessage.id))).scalars())


async def templates(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    """The approved templates sent outside the 24-hour window, by name."""
    async with runtime.sessions() as session:
        rows = await session.execute(select(OutboundMessage.payload).where(OutboundMessage.kind == "template")
                                     .order_by(OutboundMessage.id))
        return [payload["name"] for payload in rows.scalars()]


@respx.mock(assert_all_called=False)
async def test_a_membership_is_sold_as_a_card_subscription(respx_mock, web, runtime, shop):
    route = mock_checkout(respx_mock)
    response = await web.get(f"/pay/{shop['purchase'].token}", allow_redirects=False)
    assert response.status == 303
    form = route.calls.last.request.content.decode().replace("%5B", "[").replace("%5D", "]")
    assert "mode=subscription" in form and "recurring][interval]=month" in form
    assert "payment_method_types[0]=card" in form and "pix" not in form
    assert f"subscription_data[metadata][purchase_token]={shop['purchase'].token}" in form


async def test_the_subscription_bills_the_membership_and_renews_it(web, runtime, broker, shop, clock):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    plan = await plan_of(runtime, shop)
    assert (plan.stripe_subscription_id, plan.stripe_customer_id, plan.status) == ("sub_1", "cus_1", "active")
    first_end = plan.ends_on
    await post_event(web, invoice("invoice.paid", reason="subscription_create"))  # the first invoice: nothing more
    await drain(broker, runtime)
    assert (await plan_of(runtime, shop)).ends_on == first_end
    clock.advance(days=30)
    await post_event(web, invoice("invoice.paid"))
    await drain(broker, runtime)
    renewed = await plan_of(runtime, shop)
    assert renewed.ends_on > first_end
    assert (await templates(runtime))[-1] == "plan_renewed"  # a month after the chat: outside the 24-hour window


async def test_a_failed_invoice_dunns_on_days_0_3_and_7_until_paid(web, runtime, broker, shop, clock):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    await post_event(web, invoice("invoice.payment_failed"))
    await post_event(web, invoice("invoice.payment_failed"))  # Stripe retries the charge: no second series
    await drain(broker, runtime)
    assert (await plan_of(runtime, shop)).status == "past_due"
    async with runtime.sessions() as session:
        rows = (await session.execute(select(ScheduledMessage).where(ScheduledMessage.kind == "dunning"))).scalars().all()
    assert sorted(r.offset_min // 1440 for r in rows) == [0, 3, 7]

    await run_due(runtime)
    link = f"{PUBLIC_URL}/pay/{shop['purchase'].token}/card"
    assert (await texts(runtime))[-1] == ("não consegui cobrar a mensalidade do seu plano *Plano mensal* 😕 "
                                          f"Atualize o cartão por aqui: {link}")
    clock.advance(days=3, minutes=1)
    await run_due(runtime)
    assert (await templates(runtime))[-1] == "membership_payment_failed"  # day 3: outside the window

    await post_event(web, invoice("invoice.paid"))
    await drain(broker, runtime)
    assert (await plan_of(runtime, shop)).status == "active"
    before = await templates(runtime)
    clock.advance(days=5)
    await run_due(runtime)
    assert (await templates(runtime))[len(before):] == []  # day 7 never came: the invoice was paid


async def test_a_past_due_plan_covers_bookings_for_the_grace_days_only(web, runtime, broker, business, shop, clock):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    await post_event(web, invoice("invoice.payment_failed"))
    await drain(broker, runtime)
    today = clock.now().date()
    async with runtime.sessions() as session:
        covered_now = await memberships.covering_membership(session, business.id, shop["client"], today, clock.now())
        after_grace = await memberships.covering_membership(session, business.id, shop["client"], today,
                                                            clock.now() + timedelta(days=7, minutes=1))
    assert covered_now is not None and after_grace is None


async def test_a_cancelled_subscription_ends_the_plan_at_the_period_end(web, runtime, broker, shop, clock):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    end = int((clock.now() + timedelta(days=10)).timestamp())
    await post_event(web, event("customer.subscription.deleted", {"id": "sub_1", "object": "subscription", "status": "canceled",
                                                                   "current_period_end": end}))
    await drain(broker, runtime)
    plan = await plan_of(runtime, shop)
    assert plan.ends_on == (clock.now() + timedelta(days=10) - timedelta(seconds=1)).date()
    assert "foi cancelado e vale até" in (await texts(runtime))[-1]


async def test_the_first_invoice_paid_before_its_checkout_completes_bills_once(web, runtime, broker, shop, clock):
    token = shop["purchase"].token
    first = invoice("invoice.paid", reason="subscription_create")
    first["data"]["object"]["parent"]["subscription_details"]["metadata"] = {"purchase_token": token}
    await post_event(web, first)
    clock.advance(seconds=1)
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        plans = (await session.execute(select(Membership))).scalars().all()
    assert len(plans) == 1 and plans[0].stripe_subscription_id == "sub_1"


@respx.mock(assert_all_called=False, assert_all_mocked=False)
async def test_the_dunning_link_opens_stripes_card_page(respx_mock, web, runtime, broker, shop):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    portal = respx_mock.post(f"{STRIPE_API}/v1/billing_portal/sessions").respond(
        200, json={"object": "billing_portal.session", "url": "https://billing.stripe.com/p/session/abc"})
    response = await web.get(f"/pay/{shop['purchase'].token}/card", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "https://billing.stripe.com/p/session/abc"
    assert "customer=cus_1" in portal.calls.last.request.content.decode()


async def test_the_payments_page_shows_what_dunning_has_sent(web, runtime, broker, business, shop):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    await post_event(web, invoice("invoice.payment_failed"))
    await drain(broker, runtime)
    await run_due(runtime)
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/payments")).text()
    assert "Failed membership payments" in page and "Plano mensal" in page
    assert "day 0: sent" in page and "day 3: due" in page and "day 7: due" in page


async def test_a_subscription_stripe_marks_past_due_dunns_once(web, runtime, broker, shop):
    await post_event(web, completed(shop["purchase"]))
    await drain(broker, runtime)
    await post_event(web, event("customer.subscription.updated", {"id": "sub_1", "object": "subscription", "status": "past_due"}))
    await post_event(web, invoice("invoice.payment_failed"))
    await drain(broker, runtime)
    assert (await plan_of(runtime, shop)).status == "past_due"
    async with runtime.sessions() as session:
        rows = (await session.execute(select(ScheduledMessage).where(ScheduledMessage.kind == "dunning"))).scalars().all()
    assert len(rows) == 3


async def test_each_renewal_reaches_webhooks_as_a_payment_received(web, runtime, broker, business, shop, clock):
    await endpoint(runtime, business.id, ["payment.succeeded"])
    await post_event(web, completed(shop["purchase"]))
    await post_event(web, invoice("invoice.paid", reason="subscription_create"))  # the first invoice: paid at checkout
    await drain(broker, runtime)
    clock.advance(days=30)
    renewal = invoice("invoice.paid", period_end=int((clock.now() + timedelta(days=30)).timestamp()))
    renewal["data"]["object"].update(amount_paid=19900, currency="brl")
    await post_event(web, renewal)
    await post_event(web, renewal)  # Stripe delivers it again: still one payment
    await drain(broker, runtime)
    first, renewed = [d.payload["data"] for d in await deliveries_of(runtime, business.id)]
    plan = await plan_of(runtime, shop)
    assert first["purchase_id"] == shop["purchase"].id and "renewal" not in first
    assert renewed == {"purchase_id": shop["purchase"].id, "client_id": shop["client"], "product_id": shop["purchase"].product_id,
                       "amount_cents": 19900, "currency": "BRL", "method": "card", "paid_at": clock.now().isoformat(),
                       "renewal": True, "membership_id": plan.id, "membership_ends_on": plan.ends_on.isoformat(),
                       "invoice_id": renewal["data"]["object"]["id"]}
