"""One wake-up takes the turns of every client a webhook batch stored; each turn sends its replies as it commits."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import respx
from dramatiq import Message
from sqlalchemy import func, select

from conversations.replies import Text
from domain.messaging import outbox
from domain.messaging.inbox import IncomingMessage, record_inbound
from domain.models import Client, InboundMessage, OutboundMessage
from domain.scheduling import booking, classes
from runtime.broker import INBOUND_QUEUE, OUTBOUND_QUEUE
from tests.booking_setup import NOW, local, make_studio
from tests.support import drain, inbound, signed
from tests.test_delivery import SEND_URL, ok, sent_bodies
from workers import delivery, processing

WA_IDS = ["5511987650001", "5511987650002", "5511987650003"]


async def _three_clients_wrote(web, broker) -> list[int]:  # type: ignore[no-untyped-def]
    for n, wa_id in enumerate(WA_IDS):
        raw, headers = signed(inbound("text", message_id=f"wamid.BATCH{n}", text="oi", wa_id=wa_id))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    broker.flush_all()  # each webhook woke its own batch; wake them as one batch instead
    return [1, 2, 3]


def _queued(broker, queue: str) -> list[Message]:  # type: ignore[no-untyped-def, type-arg]
    return [Message.decode(m) for m in list(broker.queues[queue].queue)]


async def _statuses(runtime) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboundMessage.client_id, OutboundMessage.kind, OutboundMessage.status)
                                      .order_by(OutboundMessage.id))).all()
    return [tuple(r) for r in rows]


@respx.mock(assert_all_mocked=True)
async def test_one_wake_up_answers_every_client_of_a_batch_with_no_delivery_wake_up(web, runtime, business, broker, respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    client_ids = await _three_clients_wrote(web, broker)
    await runtime.wake.process(client_ids)
    assert [(m.actor_name, m.args) for m in _queued(broker, INBOUND_QUEUE)] == [("process", (client_ids,))]
    await drain(broker, runtime, only_inbound=True)
    greeted = {body["to"] for body in sent_bodies(route) if "Studio Força" in str(body)}
    assert greeted == set(WA_IDS)
    assert {status for _, _, status in await _statuses(runtime)} == {"sent"}
    assert _queued(broker, OUTBOUND_QUEUE) == []  # each turn sent its own replies as it committed


@respx.mock(assert_all_mocked=True)
async def test_a_failing_turn_does_not_hold_back_the_other_clients_replies(web, runtime, business, broker, monkeypatch, respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    client_ids = await _three_clients_wrote(web, broker)
    real_load = processing.load_turns

    async def broken_for_the_second(session, ids):  # type: ignore[no-untyped-def]
        if client_ids[1] in ids:
            raise ConnectionError("database went away mid-turn")
        return await real_load(session, ids)

    monkeypatch.setattr(processing, "load_turns", broken_for_the_second)
    with pytest.raises(ConnectionError):  # raised, so the broker retries the wake-up
        await processing.process(runtime, client_ids)
    assert {body.get("to") for body in sent_bodies(route)} - {None} == {WA_IDS[0], WA_IDS[2]}  # read receipts name no one
    monkeypatch.setattr(processing, "load_turns", real_load)
    await processing.process(runtime, client_ids)  # the retry: only the second is left
    assert [body.get("to") for body in sent_bodies(route)][-2:] == [WA_IDS[1]] * 2  # its greeting (with the opt-in) and menu
    assert {status for _, _, status in await _statuses(runtime)} == {"sent"}
    async with runtime.sessions() as session:
        unprocessed = (await session.execute(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None)))).scalar_one()
    assert unprocessed == 0


@respx.mock(assert_all_mocked=True)
async def test_replies_behind_an_unsent_row_wait_for_it_and_go_out_after_it(web, runtime, business, broker, respx_mock, clock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await _three_clients_wrote(web, broker)
    async with runtime.sessions.begin() as session:  # a reminder queued for the first client, not sent yet
        await outbox.queue_messages(session, business.id, 1, [outbox.OutgoingMessage("text", "Lembrete", {"body": "Lembrete"})],
                                    clock.now())
    await processing.process(runtime, [1])
    assert [status for client, _, status in await _statuses(runtime) if client == 1] == ["queued"] * 4
    assert [(m.actor_name, m.args) for m in _queued(broker, OUTBOUND_QUEUE)] == [("deliver", ([1],))]
    await drain(broker, runtime)
    bodies = sent_bodies(route)
    assert bodies[0]["text"]["body"] == "Lembrete" and bodies[1]["status"] == "read"
    assert [status for client, _, status in await _statuses(runtime) if client == 1] == ["sent"] * 4


@respx.mock(assert_all_mocked=True)
async def test_replies_queued_while_earlier_ones_were_being_sent_go_out_once_those_are_recorded(web, runtime, business, broker,
                                                                                                respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await _three_clients_wrote(web, broker)
    first = await processing.take_turn(runtime, 1)  # its replies are claimed; the sends have not happened yet
    assert first.claim is not None
    raw, headers = signed(inbound("text", message_id="wamid.BATCH-MENU", text="menu", wa_id=WA_IDS[0]))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    broker.flush_all()
    second = await processing.take_turn(runtime, 1)  # behind rows still 'sending': queued, and a wake-up asked for
    assert second.claim is None and second.wake == [1]
    await delivery.deliver(runtime, [1])  # that wake-up: the first rows are in flight
    assert route.call_count == 0
    await delivery.send_and_record(runtime, [first.claim])
    assert [(m.actor_name, m.args) for m in _queued(broker, OUTBOUND_QUEUE)] == [("deliver", ([1],))]
    await drain(broker, runtime)
    assert [status for client, _, status in await _statuses(runtime) if client == 1] == ["sent"] * 5
    assert sent_bodies(route)[-1]["type"] == "interactive"  # the menu came last


async def test_a_webhook_batch_rolled_back_leaves_nothing_behind(runtime, business):
    """A batch's client and inbox rows commit together or not at all."""
    now = datetime.now(UTC)
    message = IncomingMessage("wamid.ROLLBACK", WA_IDS[0], None, "Ana", "text", "oi", {"text": {"body": "oi"}}, now)
    with pytest.raises(RuntimeError):
        async with runtime.sessions.begin() as session:
            assert await record_inbound(session, business.id, [message], now) == [1]
            raise RuntimeError("the commit never happens")
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Client))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(InboundMessage))).scalar_one() == 0


async def _full_class(runtime, business, clock, holder: int, waiting: int):  # type: ignore[no-untyped-def]
    """A class with one seat, taken by the studio's client `holder`, `waiting` on its waitlist (by index):
    their ids and the seat."""
    clock._now = NOW
    studio = await make_studio(runtime, business)
    holder_id, waiting_id = studio.clients[holder], studio.clients[waiting]
    async with runtime.sessions.begin() as session:
        (await session.get(Client, waiting_id)).last_inbound_at = NOW - timedelta(hours=1)
        made = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW, capacity=1)
        seat = await classes.book_seat(session, business.id, client_id=holder_id, appointment_id=made.id, now=NOW)
        await classes.join_waitlist(session, business.id, client_id=waiting_id, appointment_id=made.id, now=NOW)
    return holder_id, waiting_id, seat


@respx.mock(assert_all_mocked=True)
async def test_a_seat_freed_in_a_turn_is_offered_to_the_waitlisted_client_without_waiting_for_the_sweeper(
        runtime, business, broker, respx_mock, monkeypatch, clock):
    import conversations.engine as engine

    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    holder, waiting, seat = await _full_class(runtime, business, clock, holder=0, waiting=1)
    async with runtime.sessions.begin() as session:
        message = IncomingMessage("wamid.CANCEL", "5511900000000", None, None, "text", "cancelar", {"text": {"body": "cancelar"}}, NOW)
        assert await record_inbound(session, business.id, [message], NOW) == [holder]

    async def cancelling(ctx, incoming, first):  # type: ignore[no-untyped-def]
        ctx.offers = (await booking.cancel(ctx.session, ctx.business.id, seat.id, ctx.now)).offers
        ctx.replies = [Text("Cancelado.")]

    monkeypatch.setattr(engine, "_route", cancelling)
    await processing.process(runtime, [holder])
    assert [(m.actor_name, m.args) for m in _queued(broker, OUTBOUND_QUEUE)] == [("deliver", ([waiting],))]
    await drain(broker, runtime)
    offers = [b for b in sent_bodies(route) if b.get("to") == "5511900000001"]
    assert len(offers) == 1 and "Abriu uma vaga" in str(offers[0])


@respx.mock(assert_all_mocked=True)
async def test_a_seat_freed_mid_batch_is_offered_after_the_waiting_clients_own_replies(
        runtime, business, broker, respx_mock, monkeypatch, clock):
    import conversations.engine as engine

    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    holder, waiting, seat = await _full_class(runtime, business, clock, holder=1, waiting=0)
    async with runtime.sessions.begin() as session:
        messages = [IncomingMessage(f"wamid.MID{n}", f"551190000000{n}", None, None, "text", "oi", {"text": {"body": "oi"}}, NOW)
                    for n in range(2)]
        assert await record_inbound(session, business.id, messages, NOW) == [waiting, holder]

    async def route_turn(ctx, incoming, first):  # type: ignore[no-untyped-def]
        if ctx.client.id == holder:
            ctx.offers = (await booking.cancel(ctx.session, ctx.business.id, seat.id, ctx.now)).offers
        ctx.replies = [Text("Cancelado." if ctx.client.id == holder else "Oi!"), Text("Até logo.")]

    monkeypatch.setattr(engine, "_route", route_turn)
    await processing.process(runtime, [waiting, holder])
    await drain(broker, runtime)

    def seen_by(wa_id: str) -> list[str]:
        return [str(b.get("text", {}).get("body") or b.get("interactive")) for b in sent_bodies(route)
                if b.get("to") == wa_id and b.get("type") != "read"]

    waiting_saw, holder_saw = seen_by("5511900000000"), seen_by("5511900000001")
    assert waiting_saw[:2] == ["Oi!", "Até logo."] and len(waiting_saw) == 3 and "Abriu uma vaga" in waiting_saw[2]
    assert holder_saw == ["Cancelado.", "Até logo."]
    async with runtime.sessions() as session:
        unprocessed = (await session.execute(select(func.count()).select_from(InboundMessage)
                                             .where(InboundMessage.processed_at.is_(None)))).scalar_one()
    assert unprocessed == 0


async def test_a_turn_that_waited_for_the_lock_leaves_alone_what_the_turn_before_it_answered(web, runtime, business, broker,
                                                                                          monkeypatch):
    await _three_clients_wrote(web, broker)
    holding, release = asyncio.Event(), asyncio.Event()
    real_handle = processing.handle

    async def first_one_dawdles(ctx, incoming):  # type: ignore[no-untyped-def]
        if not holding.is_set():
            holding.set()
            await release.wait()
        await real_handle(ctx, incoming)

    monkeypatch.setattr(processing, "handle", first_one_dawdles)
    first = asyncio.create_task(processing.take_turn(runtime, 1))
    await holding.wait()  # the first turn holds the conversation lock
    second = asyncio.create_task(processing.take_turn(runtime, 1))
    await asyncio.sleep(0.3)  # the second one's statement is waiting for that lock
    release.set()
    answered, after = await first, await second
    assert answered.claim is not None and [r.kind for r in answered.claim.rows] == ["read", "buttons", "list"]
    assert after == processing.TurnOutcome()  # "oi" was answered once
    assert [status for client, _, status in await _statuses(runtime) if client == 1] == ["sending"] * 3


@respx.mock(assert_all_mocked=True)
async def test_a_bug_in_one_turn_of_a_shared_transaction_costs_only_that_turn(web, runtime, business, broker, monkeypatch,
                                                                             respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    client_ids = await _three_clients_wrote(web, broker)
    real_handle = processing.handle

    async def breaks_for_the_second(ctx, incoming):  # type: ignore[no-untyped-def]
        if ctx.client.id == client_ids[1]:
            raise RuntimeError("a bug in a flow")
        await real_handle(ctx, incoming)

    monkeypatch.setattr(processing, "handle", breaks_for_the_second)
    await processing.process(runtime, client_ids)  # the three turns share one transaction
    texts = {wa_id: " ".join(str(b) for b in sent_bodies(route) if b.get("to") == wa_id) for wa_id in WA_IDS}
    assert "Studio Força" in texts[WA_IDS[0]] and "Studio Força" in texts[WA_IDS[2]]
    assert "Studio Força" not in texts[WA_IDS[1]] and "deu um problema aqui do meu lado" in texts[WA_IDS[1]]  # the apology
    assert {status for _, _, status in await _statuses(runtime)} == {"sent"}
