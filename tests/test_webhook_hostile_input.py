"""Whatever a signed webhook holds, it gets a 2xx or a 4xx, and what can be stored is stored."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from channels.signature import is_valid, sign
from domain.models import InboundMessage, MessageStatusEvent
from tests.conftest import GRAPH
from tests.support import APP_SECRET, PHONE_NUMBER_ID, fixture, inbound, signed

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
