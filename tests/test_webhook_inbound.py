"""The webhook stores what Meta sends exactly once, and refuses what it must not store."""
from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from domain.models import Client, InboundMessage, OutboundMessage
from tests.support import drain, inbound, signed


async def count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_wrong_signature_is_refused_and_nothing_is_stored(web, runtime, business):
    raw, headers = signed(inbound("text"), secret="not-the-app-secret")
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 401
    assert await count(runtime, InboundMessage) == 0
    assert await count(runtime, Client) == 0


async def test_missing_signature_is_refused(web, runtime, business):
    response = await web.post("/webhooks/whatsapp", data=json.dumps(inbound("text")), headers={"Content-Type": "application/json"})
    assert response.status == 401
    assert await count(runtime, InboundMessage) == 0


async def test_signature_over_other_bytes_is_refused(web, runtime, business):
    raw, headers = signed(inbound("text"))
    response = await web.post("/webhooks/whatsapp", data=raw.replace(b"amanh", b"AMANH"), headers=headers)
    assert response.status == 401
    assert await count(runtime, InboundMessage) == 0


async def test_malformed_json_gets_400_and_nothing_is_stored(web, runtime, business):
    raw, headers = signed(b'{"object": "whatsapp_business_account", "entry": [')
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 400
    assert "malformed" in (await response.json())["error"]
    assert await count(runtime, InboundMessage) == 0


async def test_body_of_the_wrong_shape_gets_400_and_nothing_is_stored(web, runtime, business):
    body = inbound("text")
    del body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    raw, headers = signed(body)
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 400
    assert await count(runtime, InboundMessage) == 0


async def test_subscription_handshake_echoes_the_challenge(web):
    ok = await web.get("/webhooks/whatsapp",
                       params={"hub.mode": "subscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1158201444"})
    assert ok.status == 200 and await ok.text() == "1158201444"
    wrong = await web.get("/webhooks/whatsapp", params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"})
    assert wrong.status == 403


async def test_same_message_delivered_three_times_is_stored_and_answered_once(web, runtime, business, broker):
    raw, headers = signed(inbound("text", message_id="wamid.ONE"))
    for _ in range(3):
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime)
    assert await count(runtime, InboundMessage) == 1
    async with runtime.sessions() as session:
        kinds = (await session.execute(select(OutboundMessage.kind).order_by(OutboundMessage.id))).scalars().all()
    assert kinds == ["read", "buttons", "text"]  # greeting with the consent question, "no services yet": once, not three times


async def test_concurrent_redeliveries_store_one_row(web, runtime, business):
    raw, headers = signed(inbound("text", message_id="wamid.RACE"))
    responses = await asyncio.gather(*(web.post("/webhooks/whatsapp", data=raw, headers=headers) for _ in range(10)))
    assert {r.status for r in responses} == {200}
    assert await count(runtime, InboundMessage) == 1


async def test_unknown_phone_number_is_acknowledged_and_ignored(web, runtime, business):
    raw, headers = signed(inbound("text", phone_number_id="999999999"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    assert await count(runtime, InboundMessage) == 0


async def test_two_messages_in_one_delivery_are_both_stored(web, runtime, business):
    raw, headers = signed(inbound("two_messages_one_delivery"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    async with runtime.sessions() as session:
        bodies = (await session.execute(select(InboundMessage.body).order_by(InboundMessage.id))).scalars().all()
    assert bodies == ["oi", "quero remarcar"]


async def test_brazilian_number_without_ninth_digit_is_the_same_client(web, runtime, business):
    for name, message_id in (("text", "wamid.A"), ("text_br_without_ninth_digit", "wamid.B")):
        raw, headers = signed(inbound(name, message_id=message_id))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    async with runtime.sessions() as session:
        clients = (await session.execute(select(Client))).scalars().all()
    assert [(c.phone_e164, c.wa_id) for c in clients] == [("+5511987654321", "551187654321")]


async def test_business_scoped_user_id_is_kept_with_the_client(web, runtime, business):
    raw, headers = signed(inbound("text_with_bsuid"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
    assert (client.user_id, client.profile_name, client.phone_e164) == ("BR.1a2b3c4d5e6f7a8b", "Maria Souza", "+5511987654321")


async def test_every_message_type_is_stored_with_its_raw_payload(web, runtime, business):
    names = ["text", "interactive_button_reply", "interactive_list_reply", "template_quick_reply_button", "location",
             "image_with_caption", "audio_voice_note", "sticker", "reaction", "unsupported"]
    for i, name in enumerate(names):
        raw, headers = signed(inbound(name, message_id=f"wamid.T{i}"))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200, name
    async with runtime.sessions() as session:
        rows = (await session.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars().all()
    assert [r.kind for r in rows] == ["text", "interactive", "interactive", "button", "location", "image", "audio",
                                       "sticker", "reaction", "unsupported"]
    assert rows[4].payload["location"]["latitude"] == -23.561684


async def test_message_of_a_type_we_do_not_know_is_kept_as_unknown(web, runtime, business):
    body = inbound("text", message_id="wamid.NEW")
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    message.pop("text")
    message.update(type="hologram", hologram={"shape": "cube"})
    raw, headers = signed(body)
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    async with runtime.sessions() as session:
        row = (await session.execute(select(InboundMessage))).scalar_one()
    assert row.kind == "unknown" and row.payload["hologram"] == {"shape": "cube"}


async def test_webhooks_arriving_together_are_all_stored_by_group_commit(web, runtime, business):
    bodies = [inbound("text", message_id=f"wamid.G{i}", wa_id=f"55119{i:08d}") for i in range(40)]
    responses = await asyncio.gather(*(web.post("/webhooks/whatsapp", data=raw, headers=headers)
                                       for raw, headers in (signed(b) for b in bodies)))
    assert {r.status for r in responses} == {200}
    assert await count(runtime, InboundMessage) == 40
    assert await count(runtime, Client) == 40


async def test_a_webhook_that_cannot_be_stored_does_not_fail_the_others_in_its_batch(web, runtime, business, monkeypatch):
    import bot.inbound_store as inbound_store

    real = inbound_store.record_inbound

    async def refuse_poison(session, business_id, messages, now):  # type: ignore[no-untyped-def]
        if any(m.provider_message_id == "wamid.POISON" for m in messages):
            raise RuntimeError("cannot store this one")
        return await real(session, business_id, messages, now)

    monkeypatch.setattr(inbound_store, "record_inbound", refuse_poison)
    ids = ["wamid.OK1", "wamid.POISON", "wamid.OK2", "wamid.OK3"]
    bodies = [inbound("text", message_id=m, wa_id=f"5511900000{i:03d}") for i, m in enumerate(ids)]
    responses = await asyncio.gather(*(web.post("/webhooks/whatsapp", data=raw, headers=headers)
                                       for raw, headers in (signed(b) for b in bodies)))
    assert [r.status for r in responses] == [200, 500, 200, 200]  # Meta retries the 500 later
    async with runtime.sessions() as session:
        stored = (await session.execute(select(InboundMessage.provider_message_id))).scalars().all()
    assert sorted(stored) == ["wamid.OK1", "wamid.OK2", "wamid.OK3"]
