"""Whatever a signed webhook holds, it gets a 2xx or a 4xx, and what can be stored is stored."""
from __future__ import annotations

import copy
import itertools
import json
import logging

import httpx
import pytest
import respx
from sqlalchemy import func, select

from channels.signature import is_valid, sign
from domain.models import Client, InboundMessage, MessageStatusEvent, OutboundMessage
from tests.conftest import GRAPH
from tests.support import APP_SECRET, PHONE_NUMBER_ID, drain, fixture, inbound, signed

NUL = "\x00"
SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"


async def post(web, body) -> int:  # type: ignore[no-untyped-def]
    raw, headers = signed(body)
    return (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status


async def stored_messages(runtime) -> list[InboundMessage]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(InboundMessage).order_by(InboundMessage.id))).scalars().all())


async def stored_statuses(runtime) -> list[MessageStatusEvent]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(MessageStatusEvent).order_by(MessageStatusEvent.id))).scalars().all())


def status_body(name: str = "status_delivered", wamid: str = "wamid.OUT") -> dict:  # type: ignore[type-arg]
    body = copy.deepcopy(fixture(name))
    value = body["entry"][0]["changes"][0]["value"]
    value["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    value["statuses"][0]["id"] = wamid
    return body


def first_message(body: dict) -> dict:  # type: ignore[type-arg]
    return body["entry"][0]["changes"][0]["value"]["messages"][0]  # type: ignore[no-any-return]


# -- NUL: PostgreSQL refuses U+0000 in text and jsonb; it arrives as U+FFFD instead.

async def test_text_with_nul_everywhere_is_stored_and_answered(web, runtime, business, broker):
    body = inbound("text", message_id=f"wamid.N{NUL}UL", text=f"oi{NUL}tudo bem")
    value = body["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["profile"]["name"] = f"Maria{NUL}"
    first_message(body).update({f"odd{NUL}key": [f"junk{NUL}", {"deep": NUL}]})
    with respx.mock(assert_all_mocked=True) as mock:
        sent = itertools.count()
        mock.post(SEND_URL).mock(side_effect=lambda _: httpx.Response(200, json={"messages": [{"id": f"wamid.R{next(sent)}"}]}))
        assert await post(web, body) == 200
        await drain(broker, runtime)
    [row] = await stored_messages(runtime)
    assert (row.provider_message_id, row.body) == ("wamid.N\ufffdUL", "oi\ufffdtudo bem")
    assert row.payload["odd\ufffdkey"] == ["junk\ufffd", {"deep": "\ufffd"}]
    assert row.processed_at is not None
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
        replies = (await session.execute(select(func.count()).select_from(OutboundMessage))).scalar_one()
    assert client.profile_name == "Maria\ufffd"
    assert replies > 0


async def test_nul_in_one_message_does_not_lose_the_other_in_its_post(web, runtime, business):
    body = inbound("two_messages_one_delivery")
    body["entry"][0]["changes"][0]["value"]["messages"][1]["text"]["body"] = f"quero{NUL}remarcar"
    assert await post(web, body) == 200
    assert [m.body for m in await stored_messages(runtime)] == ["oi", "quero\ufffdremarcar"]


async def test_status_with_nul_in_its_id_and_error_is_stored(web, runtime, business):
    body = status_body("status_failed_outside_window", wamid=f"wamid.{NUL}")
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["title"] = f"Re-engagement{NUL}"
    assert await post(web, body) == 200
    [event] = await stored_statuses(runtime)
    assert (event.provider_message_id, event.error["title"]) == ("wamid.\ufffd", "Re-engagement\ufffd")


# -- Numbers JSON can hold but the stored JSON cannot (past 64 bits) are kept as their digits.

async def test_huge_number_in_an_unknown_field_is_stored_as_its_digits(web, runtime, business):
    body = inbound("text")
    first_message(body)["odd"] = {"n": 10**30, "m": -(10**25), "ok": 2**63 - 1}
    assert await post(web, body) == 200
    [row] = await stored_messages(runtime)
    assert row.payload["odd"] == {"n": str(10**30), "m": str(-(10**25)), "ok": 2**63 - 1}


async def test_status_error_with_a_huge_code_is_stored(web, runtime, business):
    body = status_body("status_failed_outside_window")
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["errors"][0]["code"] = 10**30
    assert await post(web, body) == 200
    [event] = await stored_statuses(runtime)
    assert event.error["code"] == str(10**30)


# -- A message that cannot be stored does not take the rest of its POST down.

async def test_a_message_that_cannot_be_stored_does_not_lose_the_others_in_its_post(web, runtime, business, monkeypatch, caplog):
    import bot.inbound_store as inbound_store

    real = inbound_store.record_inbound

    async def refuse_poison(session, business_id, messages, now):  # type: ignore[no-untyped-def]
        if any(m.provider_message_id == "wamid.POISON" for m in messages):
            raise RuntimeError("cannot store this one")
        return await real(session, business_id, messages, now)

    monkeypatch.setattr(inbound_store, "record_inbound", refuse_poison)
    body = inbound("two_messages_one_delivery", message_id="wamid.POISON")
    value = body["entry"][0]["changes"][0]["value"]
    value["statuses"] = status_body()["entry"][0]["changes"][0]["value"]["statuses"]
    with caplog.at_level(logging.ERROR, logger="bot.inbound_store"):
        assert await post(web, body) == 200  # a 500 would have Meta send the whole POST again for a week
    assert [m.body for m in await stored_messages(runtime)] == ["quero remarcar"]
    assert [s.provider_message_id for s in await stored_statuses(runtime)] == ["wamid.OUT"]
    assert "wamid.POISON" in caplog.text


async def test_a_post_none_of_whose_messages_can_be_stored_gets_503_to_be_sent_again(web, runtime, business, monkeypatch):
    import bot.inbound_store as inbound_store

    async def database_down(session, business_id, messages, now):  # type: ignore[no-untyped-def]
        raise ConnectionError("database down")

    monkeypatch.setattr(inbound_store, "record_inbound", database_down)
    assert await post(web, inbound("two_messages_one_delivery")) == 503  # the database is away: Meta sends it again
    assert await stored_messages(runtime) == []


# -- The signature header is compared as what it must be: ASCII.

@pytest.mark.parametrize("header", ["sha256=" + "é" * 64, "sha256=" + "€" * 64, "sha256=\udcff", "sha256=" + "Ａ" * 64])
def test_a_signature_that_is_not_ascii_is_invalid(header):
    assert is_valid(b"{}", header, APP_SECRET) is False
    assert is_valid(b"{}", sign(b"{}", APP_SECRET), APP_SECRET) is True


async def test_a_signature_header_with_non_ascii_characters_gets_401(web, runtime, business):
    raw, headers = signed(inbound("text"))
    headers["X-Hub-Signature-256"] = "sha256=" + "é" * 64
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 401
    assert await stored_messages(runtime) == []


# -- A clock value no date can hold: stored with the received time, the value kept in the payload.

BAD_TIMESTAMPS = [1e20, -1e12, 2**63, 10**30, "100000000000000000000", "-1000000000000", str(2**63), "1e20", "soon", -1]


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS)
async def test_message_with_a_timestamp_out_of_range_is_stored_with_the_received_time(web, runtime, business, timestamp):
    body = inbound("text")
    first_message(body)["timestamp"] = timestamp
    assert await post(web, body) == 200
    [row] = await stored_messages(runtime)
    assert row.sent_at == runtime.clock.now()
    assert row.payload["timestamp"] in (timestamp, str(timestamp))


async def test_message_without_a_timestamp_is_stored_with_the_received_time(web, runtime, business):
    body = inbound("text")
    del first_message(body)["timestamp"]
    assert await post(web, body) == 200
    [row] = await stored_messages(runtime)
    assert row.sent_at == runtime.clock.now()


@pytest.mark.parametrize("timestamp", BAD_TIMESTAMPS)
async def test_status_with_a_timestamp_out_of_range_is_stored_with_the_received_time(web, runtime, business, timestamp):
    body = status_body()
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = timestamp
    assert await post(web, body) == 200
    [event] = await stored_statuses(runtime)
    assert event.occurred_at == runtime.clock.now()


# -- Values longer than their columns.

async def test_a_long_profile_name_is_cut_to_what_a_client_keeps(web, runtime, business):
    body = inbound("text")
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "Maria " * 100
    assert await post(web, body) == 200
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
    assert client.profile_name == ("Maria " * 100)[:120]


async def test_a_status_name_longer_than_whatsapp_makes_them_gets_400(web, runtime, business):
    body = status_body()
    body["entry"][0]["changes"][0]["value"]["statuses"][0]["status"] = "delivered" * 10
    assert await post(web, body) == 400
    assert await stored_statuses(runtime) == []


# -- The business lookup takes any phone number id.

@pytest.mark.parametrize("phone_number_id", [NUL, f"106540352242922{NUL}", "", "١٠٦٥٤٠٣٥٢٢٤٢٩٢٢", "'; DROP TABLE businesses; --",
                                             "1" * 65, "9" * 100_000])
async def test_an_odd_phone_number_id_is_acknowledged_and_ignored(web, runtime, business, phone_number_id):
    assert await post(web, inbound("text", phone_number_id=phone_number_id)) == 200
    assert await stored_messages(runtime) == []
    assert await post(web, inbound("text")) == 200  # and the real number still works
    assert len(await stored_messages(runtime)) == 1


async def test_unknown_phone_number_ids_do_not_grow_the_business_cache_without_end(web, runtime, business, monkeypatch):
    import bot.webhook_whatsapp as webhook

    monkeypatch.setattr(webhook, "BUSINESS_CACHE_SIZE", 4)
    for i in range(10):
        assert await post(web, inbound("text", phone_number_id=f"unknown-{i}")) == 200
    assert len(runtime.business_cache) <= 4
    assert await post(web, inbound("text")) == 200
    assert len(await stored_messages(runtime)) == 1


# -- A body that is no webhook is refused whole.

NOT_WEBHOOKS = [b"", b"null", b"[]", b'"whatsapp"', b"{}", b"\xff\xfe{}", b'{"object": 1, "entry": {}}',
                b'{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": []}]}]}',
                b"[" * 5000 + b"]" * 5000, json.dumps(inbound("text")).replace("oi,", "\\ud800").encode()]


@pytest.mark.parametrize("raw", NOT_WEBHOOKS, ids=range(len(NOT_WEBHOOKS)))
async def test_a_body_that_is_no_webhook_gets_400_and_stores_nothing(web, runtime, business, raw):
    raw, headers = signed(raw)
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 400
    assert "malformed" in (await response.json())["error"]
    assert await stored_messages(runtime) == []


async def test_a_profile_name_longer_than_its_column_is_cut_and_the_client_is_greeted(web, runtime, business, broker):
    body = inbound("text", text="oi", wa_id="5511955550000")
    body["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = "x" * 1100
    raw, headers = signed(body)
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
        greeting = (await session.execute(select(OutboundMessage.body).where(OutboundMessage.kind == "buttons"))).scalar_one()
    assert client.profile_name == "x" * 120 and "Oi" in greeting
