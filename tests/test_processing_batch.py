"""One wake-up takes the turns of every client a webhook batch stored, and wakes one delivery for them."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import respx
from dramatiq import Message
from sqlalchemy import func, select

from domain.inbox import IncomingMessage, record_inbound
from domain.models import Client, InboundMessage, OutboundMessage
from tests.support import drain, inbound, signed
from tests.test_delivery import SEND_URL, ok, sent_bodies
from workers import processing
from workers.broker import INBOUND_QUEUE, OUTBOUND_QUEUE
from workers.enqueue import Enqueuer

WA_IDS = ["5511987650001", "5511987650002", "5511987650003"]


async def _three_clients_wrote(web, broker) -> list[int]:  # type: ignore[no-untyped-def]
    for n, wa_id in enumerate(WA_IDS):
        raw, headers = signed(inbound("text", message_id=f"wamid.BATCH{n}", text="oi", wa_id=wa_id))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    broker.flush_all()  # each webhook woke its own batch; wake them as one batch instead
    return [1, 2, 3]


def _queued(broker, queue: str) -> list[Message]:  # type: ignore[no-untyped-def, type-arg]
    return [Message.decode(m) for m in list(broker.queues[queue].queue)]


@respx.mock(assert_all_mocked=True)
async def test_one_wake_up_answers_every_client_of_a_batch(web, runtime, business, broker, respx_mock):
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    client_ids = await _three_clients_wrote(web, broker)
    await Enqueuer(broker).process(client_ids)
    assert [(m.actor_name, m.args) for m in _queued(broker, INBOUND_QUEUE)] == [("process_contacts", (client_ids,))]
    await drain(broker, runtime, only_inbound=True)
    assert [(m.actor_name, m.args) for m in _queued(broker, OUTBOUND_QUEUE)] == [("deliver_many", (client_ids,))]
    await drain(broker, runtime)
    greeted = {body["to"] for body in sent_bodies(route) if "Studio Força" in str(body)}
    assert greeted == set(WA_IDS)
    async with runtime.sessions() as session:
        statuses = (await session.execute(select(OutboundMessage.status))).scalars().all()
    assert set(statuses) == {"sent"}


async def test_a_failing_turn_does_not_hold_back_the_other_clients_replies(web, runtime, business, broker, monkeypatch):
    client_ids = await _three_clients_wrote(web, broker)
    real_load = processing.load_turn

    async def broken_for_the_second(session, client_id):  # type: ignore[no-untyped-def]
        if client_id == client_ids[1]:
            raise ConnectionError("database went away mid-turn")
        return await real_load(session, client_id)

    monkeypatch.setattr(processing, "load_turn", broken_for_the_second)
    with pytest.raises(ConnectionError):  # raised, so the broker retries the wake-up
        await processing.process_contacts(runtime, Enqueuer(broker), client_ids)
    assert [m.args for m in _queued(broker, OUTBOUND_QUEUE)] == [([client_ids[0], client_ids[2]],)]
    monkeypatch.setattr(processing, "load_turn", real_load)
    await processing.process_contacts(runtime, Enqueuer(broker), client_ids)  # the retry: only the second is left
    assert _queued(broker, OUTBOUND_QUEUE)[-1].args == ([client_ids[1]],)
    async with runtime.sessions() as session:
        unprocessed = (await session.execute(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None)))).scalar_one()
    assert unprocessed == 0


async def test_a_webhook_batch_rolled_back_leaves_nothing_behind(runtime, business):
    """A batch's client and inbox rows commit together or not at all."""
    now = datetime.now(timezone.utc)
    message = IncomingMessage("wamid.ROLLBACK", WA_IDS[0], None, "Ana", "text", "oi", {"text": {"body": "oi"}}, now)
    with pytest.raises(RuntimeError):
        async with runtime.sessions.begin() as session:
            assert await record_inbound(session, business.id, [message], now) == [1]
            raise RuntimeError("the commit never happens")
    async with runtime.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(Client))).scalar_one() == 0
        assert (await session.execute(select(func.count()).select_from(InboundMessage))).scalar_one() == 0
