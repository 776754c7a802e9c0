"""Status webhooks move outbox rows forward (sent → delivered → read), never backwards."""
from __future__ import annotations

import copy

import httpx
import respx
from sqlalchemy import select

from domain.messaging.outbox import mark_sent
from domain.models import Business, Client, MessageStatusEvent, OutboundMessage
from tests.conftest import GRAPH
from tests.support import PHONE_NUMBER_ID, drain, fixture, inbound, signed

SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"


def status(name: str, wamid: str) -> dict:  # type: ignore[type-arg]
    body = copy.deepcopy(fixture(name))
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    value["statuses"][0]["id"] = wamid
    return body


async def post(web, body) -> None:  # type: ignore[no-untyped-def]
    raw, headers = signed(body)
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200


async def greet(web, broker, runtime, wamids: list[str]) -> list[OutboundMessage]:  # type: ignore[no-untyped-def]
    answers = iter(wamids)
    with respx.mock(assert_all_mocked=True) as mock:
        mock.post(SEND_URL).mock(side_effect=lambda request: httpx.Response(200, json={"messages": [{"id": next(answers)}]}))
        await post(web, inbound("text", message_id="wamid.IN", text="oi"))
        await drain(broker, runtime)
    return await rows(runtime)


async def rows(runtime) -> list[OutboundMessage]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all())


async def test_delivered_then_read_moves_the_reply_forward(web, runtime, business, broker):
    await greet(web, broker, runtime, ["wamid.R", "wamid.A", "wamid.B"])
    await post(web, status("status_delivered", "wamid.A"))
    await post(web, status("status_read", "wamid.A"))
    reply = (await rows(runtime))[1]
    assert (reply.status, reply.delivered_at is not None, reply.read_at is not None) == ("read", True, True)


async def test_statuses_out_of_order_never_move_a_row_backwards(web, runtime, business, broker):
    await greet(web, broker, runtime, ["wamid.R", "wamid.A", "wamid.B"])
    await post(web, status("status_read", "wamid.A"))
    await post(web, status("status_delivered", "wamid.A"))
    await post(web, status("status_sent", "wamid.A"))
    await post(web, status("status_failed_outside_window", "wamid.A"))
    assert (await rows(runtime))[1].status == "read"


async def test_failed_status_marks_an_undelivered_reply_failed_with_the_error(web, runtime, business, broker):
    await greet(web, broker, runtime, ["wamid.R", "wamid.A", "wamid.B"])
    await post(web, status("status_failed_outside_window", "wamid.B"))
    reply = (await rows(runtime))[2]
    assert reply.status == "failed" and reply.last_error and reply.last_error.startswith("131047")


async def test_status_that_beats_the_send_answer_is_applied_when_the_id_is_known(web, runtime, business, broker):
    await post(web, status("status_delivered", "wamid.EARLY"))
    await greet(web, broker, runtime, ["wamid.R", "wamid.EARLY", "wamid.B"])
    assert [r.status for r in await rows(runtime)] == ["sent", "delivered", "sent"]


async def test_repeated_status_webhook_is_recorded_once(web, runtime, business, broker):
    await greet(web, broker, runtime, ["wamid.R", "wamid.A", "wamid.B"])
    for _ in range(3):
        await post(web, status("status_delivered", "wamid.A"))
    async with runtime.sessions() as session:
        events = (await session.execute(select(MessageStatusEvent))).scalars().all()
    assert len(events) == 1


async def test_early_statuses_of_a_batch_across_businesses_apply_each_to_its_own_business(runtime, business):
    """One statement marks a delivery batch spanning businesses sent; a status never crosses to another business."""
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        other = Business(name="Box Norte", phone_number_id="2" * 15, timezone="America/Sao_Paulo", locale="pt-BR",
                         currency="BRL", created_at=now)
        session.add(other)
        await session.flush()
        ids = {}
        for shop, wamid in ((business, "wamid.A1"), (other, "wamid.B1")):
            client = Client(business_id=shop.id, contact_key=f"c-{wamid}", wa_id="55119" + str(shop.id), created_at=now)
            session.add(client)
            await session.flush()
            row = OutboundMessage(business_id=shop.id, client_id=client.id, kind="text", payload={}, status="sending",
                                  attempts=1, next_attempt_at=now, created_at=now, updated_at=now)
            session.add(row)
            await session.flush()
            ids[wamid] = row.id
        session.add_all([
            MessageStatusEvent(business_id=business.id, provider_message_id="wamid.A1", status="delivered", occurred_at=now),
            MessageStatusEvent(business_id=other.id, provider_message_id="wamid.B1", status="read", occurred_at=now),
            # Claims to be the other business's message: must not touch it.
            MessageStatusEvent(business_id=business.id, provider_message_id="wamid.B1", status="failed", occurred_at=now),
        ])
    async with runtime.sessions.begin() as session:
        await mark_sent(session, [(business.id, ids["wamid.A1"], "wamid.A1"), (other.id, ids["wamid.B1"], "wamid.B1")], now)
    async with runtime.sessions() as session:
        assert (await session.get(OutboundMessage, ids["wamid.A1"])).status == "delivered"
        assert (await session.get(OutboundMessage, ids["wamid.B1"])).status == "read"
