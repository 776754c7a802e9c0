"""Conversation transcripts, run through the real webhook, engine, database and outbox."""
from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from domain.models import OutboundMessage
from tests.support import drain, inbound, signed

TRANSCRIPTS = [t for f in sorted((Path(__file__).parent / "transcripts").glob("*.yaml")) for t in yaml.safe_load(f.read_text())]
_ids = itertools.count()


def client_message(turn: dict[str, Any]) -> dict[str, Any]:
    message_id = f"wamid.T{next(_ids)}"
    if "client" in turn:
        return inbound("text", message_id=message_id, text=turn["client"])
    if "tap" in turn:
        body = inbound("interactive_list_reply", message_id=message_id)
        body["entry"][0]["changes"][0]["value"]["messages"][0]["interactive"]["list_reply"] = {"id": turn["tap"], "title": turn["tap"]}
        return body
    return inbound(turn["send"], message_id=message_id)


def shown(row: OutboundMessage) -> str:
    return f"[{row.kind}] {row.body}" if row.kind != "text" else str(row.body)


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t["name"] for t in TRANSCRIPTS])
async def test_transcript(transcript, web, runtime, business, broker):
    seen = 0
    for turn in transcript["turns"]:
        raw, headers = signed(client_message(turn))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
        # Delivery is not needed to read what the bot decided: the outbox holds it.
        await drain(broker, runtime, only_inbound=True)
        async with runtime.sessions() as session:
            rows = (await session.execute(select(OutboundMessage).where(OutboundMessage.kind != "read").order_by(OutboundMessage.id))).scalars().all()
        replies = [shown(r) for r in rows[seen:]]
        seen = len(rows)
        assert len(replies) == len(turn["bot"]), (turn, replies)
        for expected, reply in zip(turn["bot"], replies):
            assert expected in reply, (expected, reply)


async def test_a_message_that_breaks_the_engine_gets_an_apology_and_later_messages_still_flow(web, runtime, business, broker, monkeypatch):
    import workers.processing as processing

    real_handle = processing.handle

    def flaky(state, incoming, ctx):  # type: ignore[no-untyped-def]
        if incoming.text == "boom":
            raise RuntimeError("engine bug")
        return real_handle(state, incoming, ctx)

    monkeypatch.setattr(processing, "handle", flaky)
    for text in ("oi", "boom", "menu"):
        raw, headers = signed(inbound("text", message_id=f"wamid.F{text}", text=text))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
        await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        rows = (await session.execute(select(OutboundMessage).where(OutboundMessage.kind != "read").order_by(OutboundMessage.id))).scalars().all()
    replies = [shown(r) for r in rows]
    assert len(replies) == 4
    assert replies[0].startswith("Oi, Maria Souza!") and replies[1].startswith("[list] Como posso ajudar?")
    assert replies[2].startswith("Opa, deu um problema aqui") and replies[3].startswith("[list] Como posso ajudar?")
