"""POST /webhooks/stripe and the payments worker, on real PostgreSQL: signatures, replays, order,
concurrency, crashes, refunds and disputes, and the payment link that opens Stripe Checkout."""
from __future__ import annotations

import asyncio
import json
import time

import pytest
import respx
from sqlalchemy import func, select

from domain.models import Business, Client, CreditEntry, Membership, OutboundMessage, PaymentEvent, Purchase
from domain.payments import purchases
from domain.scheduling import catalog, credits
from tests.admin_support import make_user
from tests.conftest import PUBLIC_URL
from tests.stripe_support import STRIPE_API, add_demo_products, mock_checkout, post_event, signed_event, stripe_event
from tests.support import drain
from workers import payment_events
from workers.sweeper import sweep


@pytest.fixture
async def shop(runtime, business, clock):  # type: ignore[no-untyped-def]
    """The business with its products and one client who talked to the bot a minute ago."""
    async with runtime.sessions.begin() as session:
        client = Client(business_id=business.id, contact_key="+5511987654321", wa_id="5511987654321",
                        phone_e164="+5511987654321", profile_name="Maria", last_inbound_at=clock.now(), created_at=clock.now())
        session.add(client)
        await session.flush()
        sold = await add_demo_products(session, business.id, clock.now())
    return {"client": client.id, **{k: p.id for k, p in sold.items()}}


async def buy(runtime, business, shop, product: str = "pack") -> Purchase:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await purchases.start(session, business, shop["client"], shop[product], runtime.clock.now())


async def balance(runtime, business, shop) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await credits.balance(session, business.id, shop["client"])


async def told(runtime) -> list[str]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        rows = await session.execute(select(OutboundMessage.body).where(OutboundMessage.kind == "text").order_by(OutboundMessage.id))
        return list(rows.scalars().all())


async def stored_events(runtime) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(PaymentEvent))).scalar_one()


async def test_a_paid_checkout_credits_the_pack_and_tells_the_client(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop)
    response = await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    assert response.status == 200
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 10
    [message] = await told(runtime)
    assert "Pagamento recebido: *Pacote 10 aulas* (R$ 450,00). Agora você tem *10* créditos" in message
    assert f"{PUBLIC_URL}/pay/{purchase.token}" in message


@pytest.mark.parametrize("signature", ["", "t=1,v1=abc", "garbage", "t=" + "9" * 30 + ",v1=" + "0" * 64])
async def test_a_bad_or_missing_signature_is_400_and_stores_nothing(web, runtime, business, shop, signature):
    purchase = await buy(runtime, business, shop)
    body = json.dumps(stripe_event("checkout.session.completed", purchase, paid=True)).encode()
    response = await web.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": signature} if signature else {})
    assert response.status == 400
    assert await stored_events(runtime) == 0


async def test_an_event_signed_with_another_secret_is_400(web, runtime, business, shop):
    purchase = await buy(runtime, business, shop)
    response = await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True), secret="whsec_someone_else")
    assert response.status == 400
    assert await stored_events(runtime) == 0 and await balance(runtime, business, shop) == 0


async def test_a_replayed_old_event_is_refused_after_five_minutes(web, runtime, business, shop):
    purchase = await buy(runtime, business, shop)
    response = await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True), at=int(time.time()) - 301)
    assert response.status == 400


async def test_a_signed_body_that_is_not_an_event_is_400(web, runtime):
    body, headers = signed_event([1, 2, 3])  # type: ignore[arg-type]
    assert (await web.post("/webhooks/stripe", data=body, headers=headers)).status == 400
    body, headers = signed_event({"id": "x" * 300, "type": "checkout.session.completed", "data": {"object": {}}})
    assert (await web.post("/webhooks/stripe", data=body, headers=headers)).status == 400


async def test_the_same_event_delivered_again_credits_once(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop)
    event = stripe_event("checkout.session.completed", purchase, paid=True)
    first = await post_event(web, event)
    await drain(broker, runtime)
    again = await post_event(web, event)
    await drain(broker, runtime)
    assert (await first.json())["duplicate"] is False and (await again.json())["duplicate"] is True
    assert await balance(runtime, business, shop) == 10
    assert len(await told(runtime)) == 1


async def test_two_deliveries_of_one_completion_at_the_same_moment_credit_once(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop)
    event = stripe_event("checkout.session.completed", purchase, paid=True)
    answers = await asyncio.gather(*(post_event(web, event) for _ in range(10)))
    assert [a.status for a in answers] == [200] * 10
    await drain(broker, runtime)
    assert await stored_events(runtime) == 1 and await balance(runtime, business, shop) == 10


async def test_two_events_completing_one_purchase_in_two_workers_at_once_credit_once(app, web, runtime, business, shop):
    """`completed` and `async_payment_succeeded` for the same purchase, applied by two workers concurrently."""
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await post_event(web, stripe_event("checkout.session.async_payment_succeeded", purchase, paid=True))
    other = await app.open_runtime()
    try:
        applied = await asyncio.gather(payment_events.apply_events(runtime), payment_events.apply_events(other))
    finally:
        await other.close()
    assert sum(applied) == 2
    assert await balance(runtime, business, shop) == 10
    async with runtime.sessions() as session:
        packs = (await session.execute(select(func.count()).where(CreditEntry.kind == "purchase"))).scalar_one()
    assert packs == 1 and len(await told(runtime)) == 1


async def test_events_in_any_order_pix_success_before_its_completion(web, runtime, broker, business, shop, clock):
    purchase = await buy(runtime, business, shop, "drop_in")
    await post_event(web, stripe_event("checkout.session.async_payment_succeeded", purchase, paid=True))
    clock.advance(seconds=1)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=False))  # late, says "unpaid"
    clock.advance(seconds=1)
    await post_event(web, stripe_event("checkout.session.expired", purchase, paid=False))  # later still
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 1
    messages = await told(runtime)
    assert len(messages) == 1 and "Pagamento recebido" in messages[0]


async def test_a_refund_that_arrives_before_the_payment_gives_nothing(web, runtime, broker, business, shop, clock):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("charge.refunded", purchase, paid=True))
    clock.advance(seconds=1)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 0
    async with runtime.sessions() as session:
        assert (await session.get(Purchase, purchase.id)).status == "refunded"


async def test_a_crash_between_the_event_and_the_ledger_never_credits_twice(web, runtime, broker, business, shop, monkeypatch):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))

    async def crash(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the worker died here")

    monkeypatch.setattr(payment_events, "tell_client", crash)
    with pytest.raises(RuntimeError):
        await payment_events.apply_events(runtime)
    assert await balance(runtime, business, shop) == 0  # the ledger change went with the transaction
    monkeypatch.undo()
    await payment_events.apply_events(runtime)
    await payment_events.apply_events(runtime)
    assert await balance(runtime, business, shop) == 10
    async with runtime.sessions() as session:
        event = (await session.execute(select(PaymentEvent))).scalar_one()
    assert event.processed_at is not None and event.outcome == "paid"


async def test_a_refund_after_some_sessions_takes_back_only_the_unused_credits(web, runtime, broker, business, shop, clock):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    async with runtime.sessions.begin() as session:
        for _ in range(3):
            await credits.spend_one(session, business.id, shop["client"], None, clock.now())
    await post_event(web, stripe_event("charge.refunded", purchase, paid=True))
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 0
    async with runtime.sessions() as session:
        kinds = [(e.kind, e.delta) for e in await credits.history(session, business.id, shop["client"])]
    assert ("revoke", -7) in kinds
    assert "foi estornado. 7 créditos não usados foram retirados." in (await told(runtime))[-1]


async def test_a_lost_dispute_takes_back_the_credits(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    await post_event(web, stripe_event("charge.dispute.closed", purchase, paid=True))
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 0


async def test_a_refunded_membership_ends(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop, "plan")
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    assert "Seu plano vale até" in (await told(runtime))[-1]
    await post_event(web, stripe_event("charge.refunded", purchase, paid=True))
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        paid = await session.get(Purchase, purchase.id)
        plan = await session.get(Membership, paid.membership_id)
    assert paid.status == "refunded" and plan.status == "cancelled"


async def test_an_event_from_another_connected_account_changes_nothing(web, runtime, broker, business, shop):
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).stripe_account_id = "acct_studio"
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True, account="acct_intruder"))
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 0
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True, account="acct_studio"))
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 10


async def test_the_sweeper_applies_an_event_whose_wake_up_was_lost(web, runtime, broker, business, shop, clock):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    broker.flush_all()  # the wake-up is lost
    clock.advance(seconds=60)
    await sweep(runtime)
    await drain(broker, runtime)
    assert await balance(runtime, business, shop) == 10


@respx.mock(assert_all_called=False)
async def test_the_payment_link_opens_stripe_checkout_on_the_business_account(respx_mock, web, runtime, business, shop):
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).stripe_account_id = "acct_studio"
    purchase = await buy(runtime, business, shop)
    route = mock_checkout(respx_mock)
    response = await web.get(f"/pay/{purchase.token}", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    sent = route.calls.last.request
    assert sent.headers["Stripe-Account"] == "acct_studio"
    form = sent.content.decode()
    assert "payment_method_types[0]=card" in form and "payment_method_types[1]=pix" in form
    assert "unit_amount%5D=45000" in form or "unit_amount]=45000" in form
    assert f"metadata[purchase_token]={purchase.token}" in form.replace("%5B", "[").replace("%5D", "]")
    async with runtime.sessions() as session:
        assert (await session.get(Purchase, purchase.id)).checkout_session_id == "cs_test_1"


@respx.mock(assert_all_called=False)
async def test_stripe_refusing_the_checkout_is_a_page_that_says_so(respx_mock, web, runtime, business, shop):
    purchase = await buy(runtime, business, shop)
    respx_mock.post(f"{STRIPE_API}/v1/checkout/sessions").respond(
        400, json={"error": {"type": "invalid_request_error", "message": "No such account"}})
    response = await web.get(f"/pay/{purchase.token}", allow_redirects=False)
    assert response.status == 502 and 'data-status="error"' in await response.text()


async def test_a_paid_link_is_the_receipt_and_an_unknown_one_is_404(web, runtime, broker, business, shop):
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    receipt = await web.get(f"/pay/{purchase.token}")
    text = await receipt.text()
    assert receipt.status == 200 and 'data-status="paid"' in text and "R$ 450,00" in text and "Pacote 10 aulas" in text
    assert (await web.get("/pay/not-a-token")).status == 404
    assert (await web.get("/pay/" + "x" * 500)).status == 404


@respx.mock(assert_all_called=False)
async def test_back_from_paying_before_the_event_is_applied_the_link_says_confirming(respx_mock, web, runtime, business, shop):
    """Stripe sends the client back at once; its event may come a moment later: no second checkout meanwhile."""
    purchase = await buy(runtime, business, shop)
    route = mock_checkout(respx_mock)
    response = await web.get(f"/pay/{purchase.token}?done=1", allow_redirects=False)
    assert response.status == 200 and 'data-status="confirming"' in await response.text()
    assert not route.called


async def test_a_refund_tells_the_owners_on_the_staff(web, runtime, broker, business, shop, clock):
    async with runtime.sessions.begin() as session:
        owner_staff = await catalog.add_staff(session, business.id, "Olga", clock.now(), wa_id="5511900001111")
    user = await make_user(runtime, business.id, staff_id=owner_staff.id)
    assert user.role == "owner"
    purchase = await buy(runtime, business, shop)
    await post_event(web, stripe_event("checkout.session.completed", purchase, paid=True))
    await drain(broker, runtime)
    await post_event(web, stripe_event("charge.refunded", purchase, paid=True))
    await drain(broker, runtime)
    async with runtime.sessions() as session:
        to_owner = (await session.execute(select(OutboundMessage).join(Client, Client.id == OutboundMessage.client_id)
                                          .where(Client.wa_id == "5511900001111"))).scalars().all()
    assert [m.kind for m in to_owner] == ["template"]  # the owner never wrote to the number: outside the window
    assert to_owner[0].payload["name"] == "staff_refund_notice"
    assert to_owner[0].payload["parameters"][:2] == ["Maria", "Pacote 10 aulas"]
