"""Conversation transcripts (tests/transcripts/*.yaml), run through the real webhook, engine and database."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from domain.models import OutboundMessage
from tests.support import drain, inbound, signed
from tests.transcript_runner import Transcript, check, shown

TRANSCRIPTS = [t for f in sorted((Path(__file__).parent / "transcripts").glob("*.yaml")) for t in yaml.safe_load(f.read_text())]


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t["name"] for t in TRANSCRIPTS])
async def test_transcript(transcript, web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup(transcript.get("setup", {}))
    for turn in transcript["turns"]:
        check(turn["bot"], await chat.say(turn), turn.get("ids", []), chat.shown_ids)


async def test_a_message_that_breaks_the_engine_gets_an_apology_and_later_messages_still_flow(web, runtime, business, broker, monkeypatch):
    import conversations.engine as engine

    real_route = engine._route

    async def flaky(ctx, incoming, first):  # type: ignore[no-untyped-def]
        if incoming.text == "boom":
            raise RuntimeError("engine bug")
        await real_route(ctx, incoming, first)

    monkeypatch.setattr(engine, "_route", flaky)
    for text in ("oi", "boom", "menu"):
        raw, headers = signed(inbound("text", message_id=f"wamid.F{text}", text=text))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
        await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        stmt = select(OutboundMessage).where(OutboundMessage.kind != "read").order_by(OutboundMessage.id)
        rows = (await session.execute(stmt)).scalars().all()
    replies = [shown(r) for r in rows]
    assert replies[-2].startswith("Opa, deu um problema aqui") and replies[-1].startswith("[list] Como posso ajudar?")


async def test_when_one_of_two_messages_breaks_the_engine_only_its_changes_are_undone(web, runtime, business, broker, monkeypatch):
    """The turn starts over with a savepoint per message: the first message's note stays, the second's goes."""
    import conversations.engine as engine
    from domain.models import ClientNote

    real_route = engine._route

    async def noting(ctx, incoming, first):  # type: ignore[no-untyped-def]
        ctx.session.add(ClientNote(business_id=ctx.business.id, client_id=ctx.client.id, author_name="bot",
                                   body=incoming.text, created_at=ctx.now))
        await ctx.session.flush()
        if incoming.text == "boom":
            raise RuntimeError("engine bug")
        await real_route(ctx, incoming, first)

    monkeypatch.setattr(engine, "_route", noting)
    for n, text in enumerate(("oi", "boom")):  # both stored before the worker runs: one turn takes them together
        raw, headers = signed(inbound("text", message_id=f"wamid.TWO{n}", text=text))
        assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        notes = (await session.execute(select(ClientNote.body))).scalars().all()
        stmt = select(OutboundMessage).where(OutboundMessage.kind != "read").order_by(OutboundMessage.id)
        rows = (await session.execute(stmt)).scalars().all()
    assert notes == ["oi"]
    assert shown(rows[-1]).startswith("Opa, deu um problema aqui")
