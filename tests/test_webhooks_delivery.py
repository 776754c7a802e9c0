"""Outgoing webhooks, as a receiver sees them: events written with the change, POSTed signed, retried with backoff
for a day, never sent for a change rolled back or to an endpoint that did not ask."""
from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
import respx
from sqlalchemy import select

from domain.errors import SlotTaken
from domain.models import Business, ChurnScore, WebhookDelivery
from domain.payments import purchases
from domain.scheduling import booking, checkins
from domain.webhooks import at_risk, deliveries, endpoints, events
from gateways.webhook_post import signature, verify
from tests.booking_setup import NOW, local, make_studio
from tests.stripe_support import add_demo_products
from tests.webhook_support import HOOK_URL, attempts_of, deliveries_of, endpoint, received, send_due, set_clock
from workers.due_work import plan_due


async def book(runtime, studio, starts_at, *, client=0):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await booking.book_personal(session, studio.business.id, client_id=studio.clients[client],
                                           service_id=studio.personal, staff_id=studio.ana, starts_at=starts_at,
                                           now=runtime.clock.now())


@respx.mock(assert_all_mocked=True)
async def test_a_booking_made_reaches_the_endpoint_signed_with_its_secret(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    _, secret = await endpoint(runtime, business.id, ["booking.created"])
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(204))
    made = await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    assert route.call_count == 1
    request = route.calls.last.request
    body = received(request, secret, NOW)
    assert body["type"] == "booking.created" and body["business_id"] == business.id
    assert body["data"]["booking_id"] == made.id and body["data"]["starts_at"] == local(24, 7).isoformat()
    assert body["data"]["status"] == "booked" and body["data"]["client_id"] == studio.clients[0]
    [delivery] = await deliveries_of(runtime, business.id)
    assert request.headers["FitZap-Delivery"] == str(delivery.id) and body["id"] == delivery.event_id
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.delivered_at) == ("delivered", 1, 204, NOW)
    assert not verify("whsec_someone_else", request.headers["FitZap-Signature"], request.content, int(NOW.timestamp()))
    assert not verify(secret, request.headers["FitZap-Signature"], request.content + b" ", int(NOW.timestamp()))
    await send_due(runtime, broker)
    assert route.call_count == 1  # delivered once, never again


def test_a_signature_older_than_five_minutes_is_refused():
    header = signature("whsec_x", 1_000_000, b"{}")
    assert verify("whsec_x", header, b"{}", 1_000_000 + 300)
    assert not verify("whsec_x", header, b"{}", 1_000_000 + 301)
    assert not verify("whsec_x", "v1=abc", b"{}", 1_000_000)


@respx.mock(assert_all_mocked=True)
async def test_a_500_is_tried_again_after_a_backoff_and_then_delivered(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    _, secret = await endpoint(runtime, business.id, ["booking.created"])
    route = respx_mock.post(HOOK_URL).mock(side_effect=[httpx.Response(500), httpx.Response(200)])
    await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert NOW + timedelta(seconds=24) <= delivery.next_attempt_at <= NOW + timedelta(seconds=36)
    await send_due(runtime, broker)
    assert route.call_count == 1  # not due yet
    clock.advance(minutes=1)
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert [a.status_code for a in await attempts_of(runtime, delivery.id)] == [500, 200]
    first, second = (received(call.request, secret, NOW + timedelta(minutes=1)) for call in route.calls)
    assert first == second  # the same event, the same body: a receiver can drop a repeat by its id


@respx.mock(assert_all_mocked=True)
async def test_a_timeout_counts_as_a_failed_attempt(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["booking.created"])
    respx_mock.post(HOOK_URL).mock(side_effect=httpx.ReadTimeout("too slow"))
    await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.last_error) == ("pending", 1, None, "timeout")


@respx.mock(assert_all_mocked=True)
async def test_after_a_day_of_failures_the_delivery_is_failed(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["booking.created"])
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(503))
    await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    while (delivery := (await deliveries_of(runtime, business.id))[0]).status == "pending":
        set_clock(clock, delivery.next_attempt_at)
        await send_due(runtime, broker)
    attempts = await attempts_of(runtime, delivery.id)
    gaps = [b.attempted_at - a.attempted_at for a, b in zip(attempts, attempts[1:], strict=False)]
    assert delivery.status == "failed" and delivery.attempts == len(attempts) == route.call_count
    assert attempts[-1].attempted_at == NOW + timedelta(hours=24)  # the last try is a day after the event
    assert 20 <= len(attempts) <= 40
    assert gaps[0] < timedelta(seconds=40) and max(gaps) <= timedelta(hours=1, minutes=12)  # backoff grows, capped
    await send_due(runtime, broker)
    assert route.call_count == len(attempts)  # given up: never sent again on its own


@respx.mock(assert_all_mocked=True)
async def test_events_an_endpoint_did_not_subscribe_to_are_not_sent(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    _, secret = await endpoint(runtime, business.id, ["booking.cancelled"])
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    made = await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    assert route.call_count == 0 and await deliveries_of(runtime, business.id) == []
    async with runtime.sessions.begin() as session:
        await booking.cancel(session, business.id, made.id, NOW, by="trainer", reason="sick")
    await send_due(runtime, broker)
    body = received(route.calls.last.request, secret, NOW)
    assert route.call_count == 1 and body["type"] == "booking.cancelled"
    assert body["data"]["cancelled_by"] == "trainer" and body["data"]["status"] == "cancelled"


async def test_a_rolled_back_booking_sends_nothing(runtime, business, clock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["booking.created"])
    with pytest.raises(RuntimeError):
        async with runtime.sessions.begin() as session:
            await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                        staff_id=studio.ana, starts_at=local(24, 7), now=NOW)
            raise RuntimeError("something later in the same transaction failed")
    await book(runtime, studio, local(24, 9))
    with pytest.raises(SlotTaken):
        await book(runtime, studio, local(24, 9), client=1)
    assert [d.payload["data"]["starts_at"] for d in await deliveries_of(runtime, business.id)] == [local(24, 9).isoformat()]


@respx.mock(assert_all_mocked=True)
async def test_moves_and_check_ins_are_told_to_every_endpoint_that_asked(runtime, business, broker, clock, respx_mock):
    set_clock(clock, local(24, 5))
    studio = await make_studio(runtime, business)
    _, everything = await endpoint(runtime, business.id, ["booking.created", "booking.moved", "checkin.created"])
    _, checkins_only = await endpoint(runtime, business.id, ["checkin.created"], url="https://crm.example.org/in")
    hook = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    crm = respx_mock.post("https://crm.example.org/in").mock(return_value=httpx.Response(200))
    made = await book(runtime, studio, local(24, 10))
    async with runtime.sessions.begin() as session:
        await booking.reschedule(session, business.id, made.id, local(24, 7, 30), runtime.clock.now(), by="trainer")
    set_clock(clock, local(24, 7, 20))
    async with runtime.sessions.begin() as session:
        await checkins.check_in(session, business.id, studio.clients[0], runtime.clock.now(), method="qr")
    await send_due(runtime, broker)
    now = runtime.clock.now()
    told = {body["type"]: body["data"] for body in (received(c.request, everything, now) for c in hook.calls)}
    assert sorted(told) == ["booking.created", "booking.moved", "checkin.created"]  # in any order: each has its created_at
    moved = told["booking.moved"]
    assert moved["starts_at"] == local(24, 7, 30).isoformat() and moved["moved_from"] == local(24, 10).isoformat()
    [visit] = [received(c.request, checkins_only, now) for c in crm.calls]
    assert visit["data"]["booking_id"] == made.id and visit["data"]["method"] == "qr"
    events = {d.event_id for d in await deliveries_of(runtime, business.id) if d.event_type == "checkin.created"}
    assert len(events) == 1  # one event, one id, whichever endpoint gets it


async def test_a_member_crossing_the_risk_threshold_is_told_once(runtime, business, clock):
    set_clock(clock)
    studio = await make_studio(runtime, business, clients=3)
    await endpoint(runtime, business.id, ["client.at_risk"])
    yesterday, today = date(2026, 11, 22), date(2026, 11, 23)
    stayed, crossed, low = studio.clients
    async with runtime.sessions.begin() as session:
        session.add_all([ChurnScore(business_id=business.id, client_id=c, scored_on=yesterday, risk=r, reasons=[],
                                    model_version="v1", created_at=NOW) for c, r in ((stayed, 0.8), (crossed, 0.1))])
        told = await at_risk.tell_crossings(session, business.id, today,
                                            [(stayed, 0.85, []), (crossed, 0.6, ["visitas caíram"]), (low, 0.05, [])], NOW)
    [delivery] = await deliveries_of(runtime, business.id)
    assert told == 1 and delivery.event_type == "client.at_risk"
    assert delivery.payload["data"] == {"client_id": crossed, "risk": 0.6, "reasons": ["visitas caíram"],
                                        "scored_on": "2026-11-23"}


@respx.mock(assert_all_mocked=True, assert_all_called=False)
async def test_a_deactivated_endpoint_gets_nothing_more(runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    endpoint_id, _ = await endpoint(runtime, business.id, ["booking.created"])
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    await book(runtime, studio, local(24, 7))  # owed before it was deactivated
    async with runtime.sessions.begin() as session:
        await endpoints.set_active(session, business.id, endpoint_id, False, NOW)
    await book(runtime, studio, local(24, 9))
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    assert route.call_count == 0 and (delivery.status, delivery.last_error) == ("failed", "endpoint deactivated")
    async with runtime.sessions() as session:
        assert await session.scalar(select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")) is None
    assert deliveries.GIVE_UP_AFTER == timedelta(hours=24)


async def test_a_payment_received_is_told_with_its_amount(runtime, business, clock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["payment.succeeded"])
    async with runtime.sessions.begin() as session:
        sold = await add_demo_products(session, business.id, NOW)
        paid = await purchases.record_payment(session, await session.get(Business, business.id), studio.clients[1],
                                              sold["pack"].id, NOW, method="cash", recorded_by=None)
    [delivery] = await deliveries_of(runtime, business.id)
    assert delivery.event_type == "payment.succeeded"
    assert delivery.payload["data"] == {"purchase_id": paid.purchase.id, "client_id": studio.clients[1],
                                        "product_id": sold["pack"].id, "amount_cents": 45000, "currency": "BRL",
                                        "method": "cash", "paid_at": NOW.isoformat()}


@respx.mock(assert_all_mocked=True)
async def test_the_scheduler_tick_deletes_deliveries_older_than_thirty_days_with_their_attempts(
        runtime, business, broker, clock, respx_mock):
    set_clock(clock, NOW - timedelta(days=31))
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["booking.created"])
    respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    await book(runtime, studio, local(24, 7) - timedelta(days=31))  # delivered 31 days ago
    set_clock(clock, NOW - timedelta(days=29))
    await book(runtime, studio, local(24, 9) - timedelta(days=29))
    await send_due(runtime, broker)
    async with runtime.sessions.begin() as session:  # owed a month ago and not sent yet: kept until it is
        await events.emit(session, business.id, "booking.created", {"late": True}, NOW - timedelta(days=31))
    old, recent, pending = await deliveries_of(runtime, business.id)
    assert (old.status, recent.status, pending.status) == ("delivered", "delivered", "pending")

    set_clock(clock)
    await plan_due(runtime)  # the scheduler's due-work tick
    assert [d.id for d in await deliveries_of(runtime, business.id)] == [recent.id, pending.id]
    assert await attempts_of(runtime, old.id) == [] and len(await attempts_of(runtime, recent.id)) == 1
    await plan_due(runtime)  # nothing more to delete: a tick costs one probe
    assert len(await deliveries_of(runtime, business.id)) == 2
