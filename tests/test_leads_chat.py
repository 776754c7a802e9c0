"""Leads in the chat (tests/lead_transcripts/*.yaml): a first contact becomes a lead with its source (an ad's
referral, a link's code, typed on its own), is offered the trial class, and moves on as it books, checks in and buys."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from domain.models import Client, Lead
from domain.people import leads
from tests.transcript_runner import CLIENT_WA, Transcript, check

TRANSCRIPTS = [t for f in sorted((Path(__file__).parent / "lead_transcripts").glob("*.yaml")) for t in yaml.safe_load(f.read_text())]


class LeadChat(Transcript):
    """A transcript whose business may offer a trial and have link codes, and whose messages may come from an ad."""

    async def setup(self, spec: dict[str, Any]) -> None:
        await super().setup(spec)
        async with self.runtime.sessions.begin() as session:
            if spec.get("trial"):
                service = self.studio.personal if spec["trial"] == "personal" else self.studio.spinning
                await leads.set_trial_service(session, self.business.id, service)
            for code in spec.get("codes", []):
                await leads.add_code(session, self.business.id, code["code"], code["label"], self.clock.now())

    def _message(self, turn: dict[str, Any]) -> dict[str, Any]:
        body = super()._message(turn)
        if "referral" in turn:
            body["entry"][0]["changes"][0]["value"]["messages"][0]["referral"] = turn["referral"]
        return body

    async def lead(self) -> dict[str, Any] | None:
        """The client's lead as the panel's pipeline shows it; None when the number is no lead."""
        async with self.runtime.sessions() as session:
            client_id = await session.scalar(select(Client.id).where(Client.wa_id == CLIENT_WA))
            rows = [r for r in await leads.pipeline(session, self.business.id) if r.client_id == client_id]
        if not rows:
            return None
        row = rows[0]
        return {"stage": row.stage, "source": row.source, "source_detail": row.source_detail}


@pytest.mark.parametrize("transcript", TRANSCRIPTS, ids=[t["name"] for t in TRANSCRIPTS])
async def test_lead_transcript(transcript, web, runtime, business, broker, clock):
    chat = LeadChat(web, runtime, business, broker, clock)
    await chat.setup(transcript.get("setup", {}))
    for turn in transcript["turns"]:
        check(turn["bot"], await chat.say(turn), turn.get("ids", []), chat.shown_ids)
        if "lead" in turn:
            found, expected = await chat.lead(), turn["lead"]
            if expected is None:
                assert found is None, f"after {turn}: {found}"
            else:
                assert found is not None, f"after {turn}: no lead"
                assert {k: found[k] for k in expected} == expected, f"after {turn}"


async def test_the_ad_referral_is_kept_whole_on_the_lead(web, runtime, business, broker, clock):
    chat = LeadChat(web, runtime, business, broker, clock)
    await chat.setup({})
    referral = {"source_url": "https://fb.me/3kQ9aZ", "source_id": "120210000000000", "source_type": "post",
                "body": "Treine com a gente", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ", "media_type": "image"}
    await chat.say({"client": "oi", "referral": referral})
    async with runtime.sessions() as session:
        lead = (await session.execute(select(Lead))).scalar_one()
    assert (lead.source, lead.source_detail, lead.referral) == ("ad", "120210000000000", referral)
