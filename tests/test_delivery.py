"""Replies leave through the Graph API in order, once, with retries only where they help."""
from __future__ import annotations

import asyncio
import itertools

import httpx
import pytest
import respx
from sqlalchemy import select

from domain.messaging.conversation_store import lock_conversation
from domain.messaging.outbox import SENDING_STALE_AFTER, OutgoingMessage, queue_messages
from domain.models import InboundMessage, OutboundMessage
from tests.conftest import GRAPH
from tests.support import PHONE_NUMBER_ID, drain, fixture, inbound, signed
from workers.delivery import deliver, send_and_record
from workers.sending import send_claims
from workers.sweeper import sweep

SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"


_wamids = itertools.count()


def ok(_request: object = None) -> httpx.Response:
    body = fixture("send_response_ok")
    body["messages"][0]["id"] = f"wamid.OUT{next(_wamids)}"
    return httpx.Response(200, json=body)


def sent_bodies(route: respx.Route) -> list[dict]:  # type: ignore[type-arg]
    import json

    return [json.loads(call.request.content) for call in route.calls]


async def outbox(runtime) -> list[OutboundMessage]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all())


async def post(web, body) -> None:  # type: ignore[no-untyped-def]
    raw, headers = signed(body)
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 200, await response.text()


@respx.mock(assert_all_mocked=True)
async def test_greeting_is_delivered_with_read_receipt_first(web, runtime, business, broker, respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    bodies = sent_bodies(route)
    assert bodies[0] == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN1"}
    greeting = bodies[1]["interactive"]  # the consent buttons come with the greeting
    assert greeting["type"] == "button" and "Studio Força" in greeting["body"]["text"]
    assert bodies[2]["type"] == "interactive" and bodies[2]["interactive"]["type"] == "list"
    assert route.calls[1].request.headers["Authorization"] == "Bearer test-token"
    assert [row.status for row in await outbox(runtime)] == ["sent"] * 3


@respx.mock(assert_all_mocked=True)
async def test_graph_api_500_then_200_is_delivered_after_a_retry(web, runtime, business, broker, respx_mock, clock):
    answers = [ok(), httpx.Response(500, json={"error": {"message": "boom", "code": 1}}), ok(), ok()]
    route = respx_mock.post(SEND_URL).mock(side_effect=answers)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    rows = await outbox(runtime)
    assert [r.status for r in rows] == ["sent", "queued", "queued"]
    assert rows[1].last_error and rows[1].last_error.startswith("1:") or "500" in (rows[1].last_error or "")
    clock.advance(seconds=5)
    await drain(broker, runtime, delayed=True)
    rows = await outbox(runtime)
    assert [r.status for r in rows] == ["sent"] * 3
    assert rows[1].attempts == 2
    assert route.call_count == 4


@respx.mock(assert_all_mocked=True)
async def test_invalid_recipient_is_marked_failed_and_not_retried(web, runtime, business, broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(
        side_effect=[ok(), httpx.Response(400, json=fixture("send_error_invalid_recipient")), ok()]
    )
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    clock.advance(minutes=30)
    await drain(broker, runtime, delayed=True)
    rows = await outbox(runtime)
    assert [r.status for r in rows] == ["sent", "failed", "sent"]
    assert rows[1].attempts == 1 and "131026" in (rows[1].last_error or "")
    assert route.call_count == 3


@respx.mock(assert_all_mocked=True)
async def test_throughput_limit_is_retried_with_backoff(web, runtime, business, broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(
        side_effect=[httpx.Response(400, json=fixture("send_error_throughput")), ok(), ok(), ok()]
    )
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    first = (await outbox(runtime))[0]
    assert first.status == "queued" and first.next_attempt_at > clock.now()
    clock.advance(minutes=1)
    await drain(broker, runtime, delayed=True)
    assert [r.status for r in await outbox(runtime)] == ["sent"] * 3
    assert route.call_count == 4


@respx.mock(assert_all_mocked=True)
async def test_free_form_reply_outside_the_24_hour_window_is_refused_before_any_call(web, runtime, business, broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    clock.advance(hours=25)
    await drain(broker, runtime)
    rows = await outbox(runtime)
    assert [r.kind for r in rows] == ["read", "buttons", "list"]
    assert [r.status for r in rows] == ["sent", "failed", "failed"]
    assert all("outside_24h_window" in (r.last_error or "") for r in rows[1:])
    assert route.call_count == 1  # only the read receipt


@respx.mock(assert_all_mocked=True)
async def test_twenty_concurrent_webhooks_from_one_contact_are_answered_in_order(web, runtime, business, broker, respx_mock, clock):
    respx_mock.post(SEND_URL).mock(side_effect=ok)
    base = int(clock.now().timestamp()) - 60
    bodies = [inbound("text", message_id=f"wamid.C{i:02d}", text=f"msg {i}", timestamp=base + i) for i in range(20)]
    await asyncio.gather(*(post(web, body) for body in bodies))
    # two workers racing over the same contact must neither interleave nor repeat
    await asyncio.gather(drain(broker, runtime), drain(broker, runtime))
    async with runtime.sessions() as session:
        processed = (await session.execute(select(InboundMessage.processed_at).order_by(InboundMessage.id))).scalars().all()
    assert len(processed) == 20 and all(processed)
    replies = [r for r in await outbox(runtime) if r.kind != "read"]
    # msg 0 is greeted (greeting with the consent buttons + menu); every later message is not understood
    # (one text, and a menu on each second)
    assert replies[0].body and "Studio Força" in replies[0].body
    assert all(r.status == "sent" for r in replies)
    sent_order = sorted(replies, key=lambda r: r.sent_at)  # type: ignore[arg-type, return-value]
    assert [r.id for r in sent_order] == [r.id for r in replies]


@respx.mock(assert_all_mocked=True)
async def test_reply_left_by_a_worker_that_died_before_delivery_is_sent_once_when_its_lease_runs_out(web, runtime, business,
                                                                                                    broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    from workers.processing import take_turn

    await take_turn(runtime, 1)  # the turn committed its replies, claimed; the worker died before sending them
    broker.flush_all()
    assert [r.status for r in await outbox(runtime)] == ["sending"] * 3
    clock.advance(seconds=SENDING_STALE_AFTER.total_seconds() / 2)
    assert await sweep(runtime) == (0, 0)  # not yet: a live worker may still be sending them
    clock.advance(seconds=SENDING_STALE_AFTER.total_seconds() / 2 + 1)
    await sweep(runtime)
    await sweep(runtime)  # a second sweep before the worker runs must not double-send
    await drain(broker, runtime)
    await sweep(runtime)
    await drain(broker, runtime)
    assert [r.status for r in await outbox(runtime)] == ["sent"] * 3
    assert route.call_count == 3


@respx.mock(assert_all_mocked=True)
async def test_a_send_held_by_a_live_worker_is_never_taken_from_it(web, runtime, business, broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    from workers.processing import take_turn

    turn = await take_turn(runtime, 1)  # claimed; this worker is slow to send them, but alive
    broker.flush_all()
    runtime.leases.hold(row.id for row in turn.claim.rows)
    for _ in range(12):  # two minutes, the lease renewed as the worker's loop does every few seconds
        clock.advance(seconds=SENDING_STALE_AFTER.total_seconds() - 1)
        await runtime.leases.renew()
        assert await sweep(runtime) == (0, 0)
        await drain(broker, runtime)
    assert route.call_count == 0
    runtime.leases.let_go(row.id for row in turn.claim.rows)  # it died: no more renewals
    clock.advance(seconds=SENDING_STALE_AFTER.total_seconds() + 1)
    assert await sweep(runtime) == (0, 1)
    await drain(broker, runtime)
    assert route.call_count == 3 and [r.status for r in await outbox(runtime)] == ["sent"] * 3


async def test_inbound_left_unprocessed_is_picked_up_by_the_sweeper(web, runtime, business, broker, clock):
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    broker.flush_all()  # Redis lost the wake-up
    clock.advance(seconds=runtime.settings.sweep_after_s + 1)
    woken = await sweep(runtime)
    assert woken == (1, 0)
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(SEND_URL).mock(side_effect=ok)
        await drain(broker, runtime)
    assert [r.status for r in await outbox(runtime)] == ["sent"] * 3


@respx.mock(assert_all_mocked=True)
async def test_a_delivery_that_finds_the_conversation_held_sends_once_the_holder_lets_go(web, runtime, business, broker,
                                                                                        respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    async with runtime.sessions.begin() as session:
        await queue_messages(session, business.id, 1, [OutgoingMessage("text", "Até amanhã", {"body": "Até amanhã"})],
                             clock.now())
    holder = runtime.sessions.begin()
    session = await holder.__aenter__()
    await lock_conversation(session, business.id, 1, clock.now())  # another worker's turn holds the conversation
    delivering = asyncio.create_task(deliver(runtime, [1]))
    await asyncio.sleep(0.3)
    assert not delivering.done() and route.call_count == 3  # it waits for the lock instead of sending past it
    await holder.__aexit__(None, None, None)
    await delivering
    assert route.call_count == 4 and sent_bodies(route)[-1]["text"]["body"] == "Até amanhã"
    assert [row.status for row in await outbox(runtime)] == ["sent"] * 4


@pytest.mark.parametrize(("dies", "repeated"), [("before_sending", 0), ("after_sending_before_recording", 3),
                                                ("after_recording", 0)])
@respx.mock(assert_all_mocked=True)
async def test_the_one_window_where_a_send_goes_out_twice_is_between_the_providers_answer_and_the_record(
        web, runtime, business, broker, respx_mock, clock, dies, repeated):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    from workers.processing import take_turn

    turn = await take_turn(runtime, 1)  # its three replies, claimed
    broker.flush_all()
    if dies == "after_sending_before_recording":
        await send_claims(runtime, [turn.claim])  # Meta accepted them; the process dies before the record lands
    elif dies == "after_recording":
        await send_and_record(runtime, [turn.claim])
    clock.advance(seconds=SENDING_STALE_AFTER.total_seconds() + 1)  # nobody renews the dead process's leases
    await sweep(runtime)
    await drain(broker, runtime)
    assert [r.status for r in await outbox(runtime)] == ["sent"] * 3
    assert route.call_count == 3 + repeated


@respx.mock(assert_all_mocked=True)
async def test_a_read_receipt_that_fails_does_not_hold_up_the_replies_behind_it(web, runtime, business, broker, respx_mock):
    failing = httpx.Response(500, json={"error": {"code": 2, "message": "Service temporarily unavailable"}})
    route = respx_mock.post(SEND_URL).mock(side_effect=[failing, ok(), ok()])
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    await drain(broker, runtime)
    rows = await outbox(runtime)
    assert [(r.kind, r.status) for r in rows] == [("read", "failed"), ("buttons", "sent"), ("list", "sent")]
    assert route.call_count == 3  # the greeting and the menu went at once; the blue ticks are not tried again


async def test_renewing_leases_skips_rows_a_record_is_writing_instead_of_waiting_for_them(web, runtime, business, broker):
    await post(web, inbound("text", message_id="wamid.IN1", text="oi"))
    from workers.processing import take_turn

    turn = await take_turn(runtime, 1)
    ids = [row.id for row in turn.claim.rows]
    runtime.leases.hold(ids)
    async with runtime.sessions.begin() as recording:  # a record holds the rows' locks until it commits
        await recording.execute(select(OutboundMessage.id).where(OutboundMessage.id.in_(ids)).with_for_update())
        await asyncio.wait_for(runtime.leases.renew(), timeout=5)  # waiting here could deadlock with the record
    runtime.leases.let_go(ids)
