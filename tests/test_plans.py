"""Plans and their limits: where each limit bites (panel, chat counters, automated messages, API tokens), the Plan
page with its usage, and moving plans through the platform's own Stripe subscription (respx answers for Stripe)."""
from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import respx
from aiohttp.test_utils import TestClient
from dramatiq.brokers.stub import StubBroker
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Business, ScheduledMessage
from domain.platform import plans
from domain.retention import campaigns
from domain.scheduling import booking
from gateways import sandbox
from runtime.resources import Runtime
from tests.admin_support import csrf_of, login, make_user
from tests.booking_setup import NOW, Studio, local, make_studio
from tests.campaign_setup import DEFAULTS, make_campaign
from tests.scheduled_setup import book, chatting, run_due_at
from tests.stripe_support import STRIPE_API, post_event
from tests.support import drain


async def on_plan(runtime: Runtime, business: Business, plan: str, **limits: Any) -> None:
    """Put the studio on `plan`, with some of its limits changed for this test (conftest restores them)."""
    if limits:
        plans.use_plans(plans.with_overrides({plan: limits}))
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).plan = plan


async def reload(runtime: Runtime, business: Business) -> Business:
    async with runtime.sessions() as session:
        found = await session.get(Business, business.id)
    assert found is not None
    return found


async def post(web: TestClient, path: str, data: dict[str, str], page: str = "/admin/plan") -> Any:
    return await web.post(path, data={**data, "csrf_token": await csrf_of(web, page)}, allow_redirects=False)


async def test_a_second_trainer_is_refused_on_a_one_trainer_plan_with_the_reason(web: TestClient, runtime: Runtime,
                                                                                 business: Business) -> None:
    await make_user(runtime, business.id)
    await login(web)
    await on_plan(runtime, business, "free")
    first = await post(web, "/admin/staff/trainers", {"name": "Ana"}, "/admin/staff")
    assert first.status == 302
    second = await post(web, "/admin/staff/trainers", {"name": "Bruno"}, "/admin/staff")
    page = html.unescape(await second.text())
    assert second.status == 400 and "Your Free plan allows 1 active trainer. Deactivate one, or upgrade on the Plan page." in page


async def test_the_panel_explains_a_booking_refused_for_the_plan(runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business, clients=3)
    await book(runtime, studio, local(24, 10), NOW, client=0)
    await on_plan(runtime, business, "free", active_clients=1)
    async with runtime.sessions() as session:
        try:
            await booking.book_personal(session, business.id, client_id=studio.clients[1], service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=local(24, 15), now=NOW, actor="trainer")
        except plans.PlanLimitReached as error:
            from admin.domain_words import words
            assert words(error).startswith("Your Free plan allows 1 active client, and this booking would add one more.")
        else:
            raise AssertionError("the booking went through")


async def test_a_campaign_past_the_plans_month_is_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await login(web)
    await on_plan(runtime, business, "free")
    campaign_id = await make_campaign(runtime, business.id)
    page = f"/admin/campaigns/{campaign_id}"
    refused = await post(web, f"{page}/start", {}, page)
    assert refused.status == 400
    assert "Your Free plan has no campaigns. Upgrade on the Plan page to send one." in html.unescape(await refused.text())


async def two_sessions_tomorrow(runtime: Runtime, business: Business) -> Studio:
    studio = await make_studio(runtime, business, clients=2)
    await book(runtime, studio, local(24, 18), NOW, client=0)
    async with runtime.sessions.begin() as session:
        await booking.book_personal(session, business.id, client_id=studio.clients[1], service_id=studio.personal,
                                    staff_id=studio.bruno, starts_at=local(24, 18), now=NOW)
    for client in (0, 1):
        await chatting(runtime, studio, local(23, 17), client=client)
    return studio


async def test_automated_messages_past_the_months_allowance_are_held_counted_and_shown(
        web: TestClient, runtime: Runtime, business: Business, broker: StubBroker, clock: FixedClock) -> None:
    await two_sessions_tomorrow(runtime, business)
    await on_plan(runtime, business, "starter", automated_messages=1)
    sent = await run_due_at(runtime, broker, clock, local(23, 18))
    assert len(sent) == 1
    async with runtime.sessions() as session:
        reminders = (await session.scalars(select(ScheduledMessage).where(ScheduledMessage.kind == "reminder",
                                                                          ScheduledMessage.offset_min == 1440))).all()
        used = await plans.usage(session, business, clock.now())
    assert sorted(r.outcome or "" for r in reminders if r.status == "skipped") == ["plan limit: automated messages"]
    assert (used.automated_sent, used.automated_held) == (1, 1)

    await make_user(runtime, business.id)
    await login(web)
    page = html.unescape(await (await web.get("/admin/plan")).text())
    assert '<span class="meter-figure" data-meter="automated_messages">1 of 1</span>' in page
    assert "1 automatic message was not sent this month: the plan's allowance was used up." in page
    dashboard = html.unescape(await (await web.get("/admin/dashboard")).text())
    assert "Automatic messages this month: 1 of 1, the limit is reached." in dashboard


async def test_an_unlimited_plan_sends_every_automated_message_and_counts_them(
        runtime: Runtime, business: Business, broker: StubBroker, clock: FixedClock) -> None:
    await two_sessions_tomorrow(runtime, business)
    assert len(await run_due_at(runtime, broker, clock, local(23, 18))) == 2
    async with runtime.sessions() as session:
        used = await plans.usage(session, business, clock.now())
    assert (used.automated_sent, used.automated_held) == (2, 0)


async def test_a_month_is_counted_in_the_studios_own_time_zone(runtime: Runtime, business: Business) -> None:
    last_evening = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 30/11 at 22:00 in São Paulo
    async with runtime.sessions.begin() as session:
        await plans.count(session, business, last_evening, clients_refused=1)
        campaign = await campaigns.create_campaign(session, business.id, DEFAULTS, NOW)
        campaign.started_at = last_evening
    async with runtime.sessions() as session:
        november, december = datetime(2026, 11, 30, 12, 0, tzinfo=UTC), datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
        assert (await plans.usage(session, business, november)).clients_refused == 1
        assert (await plans.usage(session, business, december)).clients_refused == 0
        assert await plans.campaigns_started(session, business, last_evening) == 1
        assert await plans.campaigns_started(session, business, december) == 0


async def test_api_tokens_need_a_plan_with_api_access(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await login(web)
    await on_plan(runtime, business, "starter")
    page = html.unescape(await (await web.get("/admin/api-tokens")).text())
    assert "Your plan has no API access" in page
    refused = await post(web, "/admin/api-tokens", {"name": "site", "scope": "read"}, "/admin/api-tokens")
    assert refused.status == 400
    assert "Your Starter plan has no API access. Upgrade on the Plan page to use the API." in html.unescape(await refused.text())


async def test_the_plan_page_compares_plans_and_refuses_a_downgrade_the_studio_has_outgrown(
        web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business, clients=3)
    for client, hour in ((0, 8), (1, 10), (2, 15)):
        await book(runtime, studio, local(24, hour), NOW, client=client)
    await on_plan(runtime, business, "pro")
    await make_user(runtime, business.id)
    await login(web)
    page = html.unescape(await (await web.get("/admin/plan")).text())
    assert "Your plan: Pro" in page and '<span class="meter-figure" data-meter="active_clients">3 of 400</span>' in page
    assert "R$99.00 a month" in page and "too small for the studio today" in page  # Free: 1 trainer
    refused = await post(web, "/admin/plan/change", {"plan": "free"})
    assert refused.status == 303
    flashed = html.unescape(await (await web.get("/admin/plan")).text())
    assert "Free is too small for the studio today (Trainers: 2, the plan allows 1)." in flashed
    assert (await reload(runtime, business)).plan == "pro"
    assert (await post(web, "/admin/plan/change", {"plan": "gold"})).status == 400


@respx.mock(assert_all_called=False)
async def test_upgrading_from_free_starts_a_subscription_on_the_platforms_own_account(
        respx_mock: respx.MockRouter, web: TestClient, runtime: Runtime, business: Business, broker: StubBroker) -> None:
    await make_user(runtime, business.id)
    await login(web)
    await on_plan(runtime, business, "free")
    route = respx_mock.post(f"{STRIPE_API}/v1/checkout/sessions").respond(
        200, json={"id": "cs_plan_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_plan_1"})
    answer = await post(web, "/admin/plan/change", {"plan": "pro"})
    assert answer.status == 303 and answer.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_plan_1"
    sent = route.calls.last.request
    form = parse_qs(sent.content.decode())
    assert "Stripe-Account" not in sent.headers  # the platform's own subscription, not the studio's account
    assert form["mode"] == ["subscription"] and form["line_items[0][price_data][unit_amount]"] == ["19900"]
    assert form["metadata[fitzap_plan]"] == ["pro"] and form["subscription_data[metadata][fitzap_business_id]"] == [str(business.id)]
    assert form["customer_email"] == ["owner@studio.test"]

    completed = {"id": "cs_plan_1", "object": "checkout.session", "payment_status": "paid", "subscription": "sub_plan_1",
                 "customer": "cus_plan_1", "metadata": {"fitzap_plan": "pro", "fitzap_business_id": str(business.id)}}
    assert (await post_event(web, sandbox.event("checkout.session.completed", completed))).status == 200
    await drain(broker, runtime)
    studio = await reload(runtime, business)
    assert (studio.plan, studio.plan_subscription_id, studio.plan_customer_id) == ("pro", "sub_plan_1", "cus_plan_1")


async def subscribed(runtime: Runtime, business: Business, plan: str = "pro") -> None:
    async with runtime.sessions.begin() as session:
        studio = await session.get(Business, business.id)
        studio.plan, studio.plan_subscription_id, studio.plan_customer_id = plan, "sub_plan_1", "cus_plan_1"


@respx.mock(assert_all_called=False)
async def test_moving_to_another_paid_plan_updates_the_subscription_prorated(
        respx_mock: respx.MockRouter, web: TestClient, runtime: Runtime, business: Business) -> None:
    await subscribed(runtime, business)
    await make_user(runtime, business.id)
    await login(web)
    respx_mock.get(f"{STRIPE_API}/v1/subscriptions/sub_plan_1").respond(200, json={
        "id": "sub_plan_1", "object": "subscription",
        "items": {"object": "list", "data": [{"id": "si_1", "object": "subscription_item",
                                              "price": {"id": "price_old", "object": "price", "product": "prod_1"}}]}})
    update = respx_mock.post(f"{STRIPE_API}/v1/subscriptions/sub_plan_1").respond(200, json={"id": "sub_plan_1", "object": "subscription"})
    answer = await post(web, "/admin/plan/change", {"plan": "enterprise"})
    assert answer.status == 302
    form = parse_qs(update.calls.last.request.content.decode())
    assert form["items[0][id]"] == ["si_1"] and form["items[0][price_data][product]"] == ["prod_1"]
    assert form["items[0][price_data][unit_amount]"] == ["49900"] and form["proration_behavior"] == ["create_prorations"]
    assert (await reload(runtime, business)).plan == "enterprise"


@respx.mock(assert_all_called=False)
async def test_going_back_to_free_cancels_at_the_period_end_then_the_plan_ends(
        respx_mock: respx.MockRouter, web: TestClient, runtime: Runtime, business: Business, broker: StubBroker) -> None:
    await subscribed(runtime, business, "starter")
    await make_user(runtime, business.id)
    await login(web)
    cancel = respx_mock.post(f"{STRIPE_API}/v1/subscriptions/sub_plan_1").respond(200, json={"id": "sub_plan_1", "object": "subscription"})
    answer = await post(web, "/admin/plan/change", {"plan": "free"})
    assert answer.status == 302 and parse_qs(cancel.calls.last.request.content.decode())["cancel_at_period_end"] == ["true"]

    ending = {"id": "sub_plan_1", "object": "subscription", "status": "active", "cancel_at_period_end": True,
              "current_period_end": 1767225600, "metadata": {"fitzap_plan": "starter", "fitzap_business_id": str(business.id)}}
    await post_event(web, sandbox.event("customer.subscription.updated", ending))
    await drain(broker, runtime)
    studio = await reload(runtime, business)
    assert (studio.plan, studio.plan_status, str(studio.plan_ends_on)) == ("starter", "canceling", "2025-12-31")
    assert "the studio moves to Free after" in html.unescape(await (await web.get("/admin/plan")).text())

    await post_event(web, sandbox.event("customer.subscription.deleted", {**ending, "status": "canceled"}))
    await drain(broker, runtime)
    studio = await reload(runtime, business)
    assert (studio.plan, studio.plan_status, studio.plan_subscription_id) == ("free", "active", None)


async def test_a_failed_plan_payment_warns_the_owner_until_an_invoice_is_paid(
        web: TestClient, runtime: Runtime, business: Business, broker: StubBroker) -> None:
    await subscribed(runtime, business, "starter")
    invoice = {"id": "in_1", "object": "invoice", "subscription": "sub_plan_1", "billing_reason": "subscription_cycle"}
    await post_event(web, sandbox.event("invoice.payment_failed", invoice))
    await drain(broker, runtime)
    assert (await reload(runtime, business)).plan_status == "past_due"
    await make_user(runtime, business.id)
    await login(web)
    assert "The last payment for your FitZap plan failed." in html.unescape(await (await web.get("/admin/dashboard")).text())
    await post_event(web, sandbox.event("invoice.paid", invoice))
    await drain(broker, runtime)
    assert (await reload(runtime, business)).plan_status == "active"


async def test_a_studios_own_sale_is_not_taken_for_a_plan_event(runtime: Runtime, business: Business) -> None:
    from domain.platform import billing

    async with runtime.sessions.begin() as session:
        assert await billing.apply(session, "checkout.session.completed", {"id": "cs_1", "metadata": {"purchase_token": "x"}}) is None


def test_plan_limits_come_from_configuration() -> None:
    from tests.conftest import make_settings

    settings = make_settings(FITZAP_PLANS=json.dumps({"starter": {"active_clients": 150, "api_access": True}}))
    configured = plans.with_overrides(settings.plan_overrides())
    assert configured["starter"].active_clients == 150 and configured["starter"].api_access is True
    assert configured["starter"].trainers == plans.DEFAULT_PLANS["starter"].trainers


def test_a_malformed_plans_setting_is_one_line_naming_it(monkeypatch: Any) -> None:
    import pytest

    from runtime.settings import ConfigError
    from tests.conftest import make_settings

    monkeypatch.setenv("FITZAP_PLANS", "not json")
    with pytest.raises(ConfigError, match=r"^FITZAP_PLANS: is not valid JSON"):
        make_settings()
    monkeypatch.delenv("FITZAP_PLANS")
    with pytest.raises(ConfigError, match=r"^FITZAP_PLANS\.starter\.trainers: Input should be greater than or equal to 0"):
        make_settings(FITZAP_PLANS='{"starter": {"trainers": -1}}')


async def test_the_api_refuses_a_booking_past_the_plans_active_clients_with_a_problem(web: TestClient, runtime: Runtime,
                                                                                      business: Business) -> None:
    from tests.api_support import open_api

    setup = await open_api(web, runtime, business)
    await book(runtime, setup.studio, local(24, 8), NOW, client=0)
    await on_plan(runtime, business, "pro", active_clients=1)
    request = {"client_id": setup.studio.clients[1], "service_id": setup.studio.personal, "staff_id": setup.studio.ana,
               "starts_at": "2026-11-24T15:00:00-03:00"}
    status, problem, _ = await setup.api.post("/bookings", request)
    assert status == 403 and problem["code"] == "plan_limit"
    assert problem["detail"] == "The Pro plan allows 1 active clients; the owner can upgrade on the Plan page."


async def test_a_token_stops_working_when_the_studio_moves_to_a_plan_without_the_api(
        web: TestClient, runtime: Runtime, business: Business, broker: StubBroker) -> None:
    from tests.api_support import open_api

    setup = await open_api(web, runtime, business)
    await subscribed(runtime, business, "pro")
    assert (await setup.api.get("/services"))[0] == 200  # the token is now kept by this process, with its plan
    moved = {"id": "sub_plan_1", "object": "subscription", "status": "active",
             "metadata": {"fitzap_plan": "starter", "fitzap_business_id": str(business.id)}}
    await post_event(web, sandbox.event("customer.subscription.updated", moved))
    await drain(broker, runtime)
    status, problem, _ = await setup.api.get("/services")
    assert status == 403 and problem["code"] == "plan_limit"
    assert problem["detail"] == "The Starter plan has no API access; the owner can upgrade on the Plan page."
