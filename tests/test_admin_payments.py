"""The panel's money pages: Settings → Products, the payments list with its filters and refunds, and
recording a payment received at the studio on the client page."""
from __future__ import annotations

import respx
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from domain.models import Business, Client, Product, Purchase
from domain.payments import purchases
from domain.scheduling import credits
from runtime.resources import Runtime
from tests.settings_support import NOW, as_owner, as_trainer, fresh, other_business, post
from tests.stripe_support import STRIPE_API, add_demo_products

PACK = {"kind": "pack", "name": "Pacote 12 aulas", "price": "540,00", "credits": "12", "validity_days": "90", "period": "month",
        "sessions_per_week": ""}


async def a_client(runtime: Runtime, business: Business) -> int:
    async with runtime.sessions.begin() as session:
        client = Client(business_id=business.id, contact_key="+5511987654321", wa_id="5511987654321",
                        phone_e164="+5511987654321", profile_name="Maria Souza", created_at=NOW)
        session.add(client)
        await session.flush()
        return client.id


async def test_owner_adds_a_pack_and_the_list_shows_its_price(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    assert (await post(web, "/admin/settings/products", token, **PACK)).status == 302
    async with runtime.sessions() as session:
        [product] = (await session.execute(select(Product))).scalars().all()
    assert (product.kind, product.credits, product.validity_days, product.price_cents) == ("pack", 12, 90, 54000)
    page = await (await web.get("/admin/settings/products")).text()
    assert "Pacote 12 aulas" in page and "R$540.00" in page and "12 credits, 90 days" in page


async def test_owner_adds_an_unlimited_monthly_membership(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    form = {**PACK, "kind": "membership", "name": "Mensal", "price": "199", "credits": "", "validity_days": ""}
    assert (await post(web, "/admin/settings/products", token, **form)).status == 302
    page = await (await web.get("/admin/settings/products")).text()
    assert "Monthly, unlimited" in page


async def test_a_pack_without_credits_or_a_bad_price_is_a_form_error(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    for bad in ({"credits": ""}, {"price": "abc"}, {"price": "-5"}, {"credits": "100000"}, {"kind": "gift"},
                {"validity_days": "9" * 25}):
        response = await post(web, "/admin/settings/products", token, **{**PACK, **bad})
        assert response.status == 400, bad
        assert "Nothing was saved" in await response.text()
    async with runtime.sessions() as session:
        assert (await session.execute(select(Product))).first() is None


async def test_owner_edits_and_archives_a_product(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/settings/products", token, **PACK)
    async with runtime.sessions() as session:
        product_id = (await session.execute(select(Product.id))).scalar_one()
    assert (await post(web, f"/admin/settings/products/{product_id}", token, **{**PACK, "price": "600"})).status == 302
    assert (await fresh(runtime, Product, product_id)).price_cents == 60000
    assert (await post(web, f"/admin/settings/products/{product_id}/active", token, active="0")).status == 302
    assert (await fresh(runtime, Product, product_id)).active is False


async def test_another_business_product_is_404_and_a_trainer_cannot_sell(web: TestClient, runtime: Runtime, business: Business) -> None:
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = (await add_demo_products(session, other.id, NOW))["pack"].id
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/settings/products/{theirs}")).status == 404
    assert (await post(web, f"/admin/settings/products/{theirs}", token, **PACK)).status == 404
    assert (await post(web, f"/admin/settings/products/{theirs}/active", token, active="0")).status == 404
    assert (await web.get("/admin/settings/products/" + "9" * 25)).status == 404
    await post(web, "/admin/logout", token)
    trainer_token, _ = await as_trainer(web, runtime, business)
    assert (await post(web, "/admin/settings/products", trainer_token, **PACK)).status == 403
    assert (await web.get("/admin/payments")).status == 403


async def test_recording_a_cash_payment_gives_the_credits_and_says_who(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        pack = (await add_demo_products(session, business.id, NOW))["pack"].id
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/clients/{client_id}/payments", token, product_id=str(pack), method="cash", note="paid at the desk")
    assert response.status == 302
    async with runtime.sessions() as session:
        assert await credits.balance(session, business.id, client_id) == 10
        purchase = (await session.execute(select(Purchase))).scalar_one()
    assert (purchase.status, purchase.method, purchase.note) == ("paid", "cash", "paid at the desk")
    page = await (await web.get(f"/admin/clients/{client_id}")).text()
    assert "Recorded Pacote 10 aulas (R$450.00)." in page and "(recorded)" in page
    payments_page = await (await web.get("/admin/payments")).text()
    assert "recorded by Olga Owner" in payments_page and "Maria Souza" in payments_page


async def test_recording_with_another_business_product_or_client_records_nothing(
        web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = (await add_demo_products(session, other.id, NOW))["pack"].id
        mine = (await add_demo_products(session, business.id, NOW))["pack"].id
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/clients/{client_id}/payments", token, product_id=str(theirs), method="cash")
    assert response.status == 302
    assert (await post(web, "/admin/clients/99999/payments", token, product_id=str(mine), method="cash")).status == 404
    assert (await post(web, f"/admin/clients/{client_id}/payments", token, product_id=str(mine), method="bitcoin")).status == 302
    assert (await post(web, f"/admin/clients/{client_id}/payments", token, product_id="9" * 30, method="cash")).status == 302
    async with runtime.sessions() as session:
        assert (await session.execute(select(Purchase))).first() is None
    assert "Nothing was recorded" in await (await web.get(f"/admin/clients/{client_id}")).text()


async def test_payments_page_filters_and_charts_revenue(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        sold = await add_demo_products(session, business.id, runtime.clock.now())
        shop = await session.get(Business, business.id)
        await purchases.record_payment(session, shop, client_id, sold["pack"].id, runtime.clock.now(), method="cash", recorded_by=None)
        await purchases.start(session, shop, client_id, sold["plan"].id, runtime.clock.now())
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/payments")).text()
    assert "Revenue, last 12 months: R$450.00" in page and "Pacote 10 aulas" in page and "Plano mensal" in page
    paid_only = await (await web.get("/admin/payments?status=paid")).text()
    assert "Pacote 10 aulas" in paid_only and "Plano mensal</td>" not in paid_only
    by_product = await (await web.get(f"/admin/payments?product_id={sold['plan'].id}")).text()
    assert "Plano mensal</td>" in by_product and "Pacote 10 aulas</td>" not in by_product
    assert "No payments match" in await (await web.get("/admin/payments?client=nobody")).text()
    for bad in ("status=stolen", "month=9999-12", "month=abc", "product_id=" + "9" * 40):
        response = await web.get(f"/admin/payments?{bad}")
        assert response.status == 400, bad


async def test_refunding_a_recorded_payment_takes_back_the_unused_credits(web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        sold = await add_demo_products(session, business.id, runtime.clock.now())
        paid = await purchases.record_payment(session, await session.get(Business, business.id), client_id, sold["pack"].id,
                                              runtime.clock.now(), method="cash", recorded_by=None)
        await credits.spend_one(session, business.id, client_id, None, runtime.clock.now())
    token = await as_owner(web, runtime, business)
    assert (await post(web, f"/admin/payments/{paid.purchase.id}/refund", token)).status == 302
    assert (await fresh(runtime, Purchase, paid.purchase.id)).status == "refunded"
    async with runtime.sessions() as session:
        assert await credits.balance(session, business.id, client_id) == 0
    assert "Refunded: 9 unused credits taken back." in await (await web.get("/admin/payments")).text()


@respx.mock(assert_all_called=False)
async def test_refunding_a_card_payment_asks_stripe(respx_mock, web: TestClient, runtime: Runtime, business: Business) -> None:
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        sold = await add_demo_products(session, business.id, runtime.clock.now())
        shop = await session.get(Business, business.id)
        shop.stripe_account_id = "acct_studio"
        purchase = await purchases.start(session, shop, client_id, sold["pack"].id, runtime.clock.now())
        await purchases.pay(session, shop, purchase.id, runtime.clock.now(), method="card", payment_intent_id="pi_123")
    route = respx_mock.post(f"{STRIPE_API}/v1/refunds").respond(200, json={"id": "re_1", "object": "refund", "status": "succeeded"})
    token = await as_owner(web, runtime, business)
    assert (await post(web, f"/admin/payments/{purchase.id}/refund", token)).status == 302
    sent = route.calls.last.request
    assert sent.headers["Stripe-Account"] == "acct_studio" and "payment_intent=pi_123" in sent.content.decode()
    assert (await fresh(runtime, Purchase, purchase.id)).status == "paid"  # until Stripe's charge.refunded arrives
    assert "Refund sent to Stripe" in await (await web.get("/admin/payments")).text()
    respx_mock.post(f"{STRIPE_API}/v1/refunds").respond(400, json={"error": {"message": "Charge already refunded"}})
    await post(web, f"/admin/payments/{purchase.id}/refund", token)
    assert "Stripe did not refund it: Charge already refunded" in await (await web.get("/admin/payments")).text()


async def test_refund_of_another_business_purchase_is_404(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    assert (await post(web, "/admin/payments/123/refund", token)).status == 404
    assert (await post(web, "/admin/payments/" + "9" * 25 + "/refund", token)).status == 404


@respx.mock(assert_all_called=False)
async def test_owner_connects_the_studio_stripe_account(respx_mock, web: TestClient, runtime: Runtime, business: Business) -> None:
    respx_mock.post(f"{STRIPE_API}/v1/accounts").respond(200, json={"id": "acct_new", "object": "account"})
    links = respx_mock.post(f"{STRIPE_API}/v1/account_links").respond(
        200, json={"object": "account_link", "url": "https://connect.stripe.com/setup/s/abc"})
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/products/stripe", token)
    assert response.status == 303 and response.headers["Location"] == "https://connect.stripe.com/setup/s/abc"
    assert "account=acct_new" in links.calls.last.request.content.decode()
    assert (await fresh(runtime, Business, business.id)).stripe_account_id == "acct_new"
    assert "acct_new" in await (await web.get("/admin/settings/products")).text()


async def test_payment_rules_are_policies(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    form = {"min_notice_min": "120", "max_horizon_days": "30", "slot_step_min": "30", "late_cancel_window_min": "720",
            "no_show_after_min": "15", "waitlist_hold_min": "30", "booking_requires_credit": "on", "payment_hold_min": "20",
            "past_due_grace_days": "3"}
    assert (await post(web, "/admin/settings/policies", token, **form)).status == 302
    saved = await fresh(runtime, Business, business.id)
    assert (saved.payment_hold_min, saved.past_due_grace_days, saved.booking_requires_credit) == (20, 3, True)
    assert (await post(web, "/admin/settings/policies", token, **{**form, "past_due_grace_days": "999"})).status == 400
