"""Win-back campaigns: made and checked in the panel, started with a random holdout that gets nothing, sent
in their window under quiet hours and a daily cap, never to those left out, and measured."""
from __future__ import annotations

import asyncio
import json
import random
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cli.campaigns import report
from cli.main import main as fitzap
from domain.messaging import handoff, outbox
from domain.models import Business, Campaign, CheckIn, ChurnScore, Client, MessageTemplate
from domain.retention.campaigns import InvalidCampaign
from tests.booking_setup import NOW, local, make_studio
from tests.campaign_setup import add_clients, arms, make_campaign, members, start
from tests.client_admin_setup import as_owner, as_trainer, book, other_business_client, visible_text
from tests.conftest import make_settings
from tests.scheduled_setup import due_rows, run_due_at

FORM = {"name": "Volta de dezembro", "segment": "all_active", "min_risk": "0", "message": "Oi {first_name}, bora treinar?",
        "template": "", "book_button": "on", "send_from": "10:00", "send_until": "19:00", "daily_cap": "50",
        "exclude_contacted_days": "7", "holdout_percent": "20", "conversion_days": "14"}


@pytest.fixture(autouse=True)
def _monday(clock) -> None:  # type: ignore[no-untyped-def]
    clock._now = NOW


async def _template(runtime, business_id: int) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        session.add(MessageTemplate(business_id=business_id, name="volta", language="pt_BR", purpose="reengagement",
                                    variables=["first_name", "business"], created_at=NOW))


async def _campaign_count(runtime) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(Campaign)) or 0


async def test_an_owner_makes_a_campaign_and_bad_settings_are_form_errors(web, runtime, business):
    token = await as_owner(web, runtime, business.id)
    await _template(runtime, business.id)
    page = await (await web.get("/admin/campaigns")).text()
    assert "No campaign yet." in page and 'value="volta|pt_BR"' in page
    for changed, words in (({"holdout_percent": "0"}, "Must be at least 5."),
                           ({"message": "Oi {nome}!"}, "Use only the variables {first_name} and {business}."),
                           ({"message": "Oi {first_name.__class__}"}, "Use only the variables"),
                           ({"message": "Oi {"}, "a lone { or } is not allowed"),
                           ({"template": "nope|pt_BR"}, "approved templates"),
                           ({"send_from": "19:00", "send_until": "10:00"}, "must end after it starts"),
                           ({"send_from": "25:00"}, "Write a time as HH:MM"),
                           ({"segment": "everyone"}, "Choose one of"),
                           ({"segment": "at_risk", "min_risk": "0"}, "at least 1%"),
                           ({"daily_cap": "9" * 30}, "Must be at most")):
        response = await web.post("/admin/campaigns", data={**FORM, **changed, "csrf_token": token}, allow_redirects=False)
        assert response.status == 400, changed
        assert words in visible_text(await response.text()), changed
    assert await _campaign_count(runtime) == 0
    assert (await web.post("/admin/campaigns", data=FORM, allow_redirects=False)).status == 403  # no CSRF token
    response = await web.post("/admin/campaigns", data={**FORM, "template": "volta|pt_BR", "csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    page = visible_text(await (await web.get(response.headers["Location"])).text())
    assert "Volta de dezembro draft" in page and "template volta (pt_BR)" in page and "10:00–19:00, at most 50 a day" in page


async def test_campaign_pages_are_the_owners_and_another_business_campaign_is_not_found(web, runtime, business):
    mine = await make_campaign(runtime, business.id)
    other_client = await other_business_client(runtime)
    async with runtime.sessions() as session:
        other_business = (await session.get(Client, other_client)).business_id
    theirs = await make_campaign(runtime, other_business)
    token = await as_owner(web, runtime, business.id)
    assert (await web.get(f"/admin/campaigns/{mine}")).status == 200
    assert (await web.get(f"/admin/campaigns/{theirs}")).status == 404
    assert (await web.post(f"/admin/campaigns/{theirs}/start", data={"csrf_token": token}, allow_redirects=False)).status == 404
    assert (await web.post(f"/admin/campaigns/{theirs}/finish", data={"csrf_token": token}, allow_redirects=False)).status == 404
    edit = await web.post(f"/admin/campaigns/{theirs}/edit", data={**FORM, "csrf_token": token}, allow_redirects=False)
    assert edit.status == 404
    assert (await arms(runtime, theirs)) == {"treated": set(), "holdout": set()}


async def test_a_draft_is_edited_on_its_page_and_a_started_campaign_keeps_its_settings(web, runtime, business):
    campaign = await make_campaign(runtime, business.id, name="Volta")
    token = await as_owner(web, runtime, business.id)
    page = await (await web.get(f"/admin/campaigns/{campaign}")).text()
    assert "Edit the settings" in page and 'value="Volta"' in page
    bad = await web.post(f"/admin/campaigns/{campaign}/edit", data={**FORM, "holdout_percent": "2", "csrf_token": token},
                         allow_redirects=False)
    assert bad.status == 400 and "Must be at least 5." in visible_text(await bad.text())
    changed = {**FORM, "name": "Volta de janeiro", "send_from": "08:00", "daily_cap": "20", "holdout_percent": "30"}
    response = await web.post(f"/admin/campaigns/{campaign}/edit", data={**changed, "csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    page = visible_text(await (await web.get(f"/admin/campaigns/{campaign}")).text())
    assert "Volta de janeiro draft" in page and "08:00–19:00, at most 20 a day" in page and "Holdout: 30%" in page
    await add_clients(runtime, business.id, 2)
    await start(runtime, business.id, campaign)
    refused = await web.post(f"/admin/campaigns/{campaign}/edit", data={**changed, "name": "Outra", "csrf_token": token},
                             allow_redirects=False)
    assert refused.status == 400 and "A started campaign cannot be changed" in visible_text(await refused.text())
    page = visible_text(await (await web.get(f"/admin/campaigns/{campaign}")).text())
    assert "Volta de janeiro running" in page and "Edit the settings" not in page and "keeps its settings" in page


async def test_trainers_do_not_see_campaigns(web, runtime, business):
    studio = await make_studio(runtime, business)
    await as_trainer(web, runtime, business.id, studio.ana)
    assert (await web.get("/admin/campaigns", allow_redirects=False)).status in (302, 403)
    assert 'href="/admin/campaigns"' not in await (await web.get("/admin/dashboard")).text()


async def test_holdout_members_never_get_a_message(runtime, business, broker, clock):
    clients = await add_clients(runtime, business.id, 40)
    campaign = await make_campaign(runtime, business.id, holdout_percent=25)
    started = await start(runtime, business.id, campaign)
    split = await arms(runtime, campaign)
    assert (started.treated, started.holdout) == (30, 10) and split["treated"] | split["holdout"] == set(clients)
    sent = await run_due_at(runtime, broker, clock, local(23, 10))
    assert {r.client_id for r in sent} == split["treated"] and len(sent) == 30
    assert not {r.client_id for r in sent} & split["holdout"]
    first = min(sent, key=lambda r: r.client_id)
    assert first.kind == "buttons" and first.payload["body"] == "Oi Cliente! Saudades no Studio Força."
    assert first.payload["buttons"] == [{"id": "menu:book", "title": "Marcar"}]
    assert await run_due_at(runtime, broker, clock, local(30, 10)) == []  # once
    assert all((m.sent_at is not None) == (m.arm == "treated") for m in await members(runtime, campaign))


async def test_the_holdout_is_drawn_from_the_campaigns_own_seed(runtime, business):
    await add_clients(runtime, business.id, 60)
    first, second = await make_campaign(runtime, business.id), await make_campaign(runtime, business.id)
    await start(runtime, business.id, first)
    await start(runtime, business.id, second)
    draw = await arms(runtime, first)
    assert len(draw["holdout"]) == 30 and draw["holdout"] != (await arms(runtime, second))["holdout"]
    replayed = sorted(draw["treated"] | draw["holdout"])
    random.Random(first).shuffle(replayed)  # anyone can draw it again from the campaign's id
    assert set(replayed[:30]) == draw["holdout"]


async def test_those_left_out_at_the_start_and_those_ruled_out_before_their_send(runtime, business, broker, clock):
    c = await add_clients(runtime, business.id, 8)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, c[0])).opted_out = True
        (await session.get(Client, c[1])).marketing_consent = False
        await handoff.take_over(session, business.id, c[2], NOW)
        await outbox.queue_many(session, [(business.id, c[3], outbox.OutgoingMessage("text", "oi", {"body": "oi"}))],
                                NOW - timedelta(days=3))
        await outbox.queue_many(session, [(business.id, c[4], outbox.OutgoingMessage("text", "oi", {"body": "oi"}))],
                                NOW - timedelta(days=10))
    campaign = await make_campaign(runtime, business.id, exclude_contacted_days=7, holdout_percent=5)
    started = await start(runtime, business.id, campaign)
    assert started.excluded == {"opted out": 1, "declined news": 1, "in a human conversation": 1, "contacted in the last 7 days": 1}
    assert (await arms(runtime, campaign))["treated"] == set(c[4:])  # 4 members: 5% of them rounds to no holdout
    async with runtime.sessions.begin() as session:  # after the start: one opts out, one is taken over, one erased
        (await session.get(Client, c[4])).opted_out = True
        await handoff.take_over(session, business.id, c[5], NOW)
        (await session.get(Client, c[6])).erased_at = NOW
    sent = await run_due_at(runtime, broker, clock, local(23, 10))
    assert [r.client_id for r in sent] == [c[7]]
    skipped = {m.client_id: m.skipped_reason for m in await members(runtime, campaign)}
    assert skipped == {c[4]: "opted out", c[5]: "in a human conversation", c[6]: "erased", c[7]: None}


async def test_outside_the_window_the_approved_template_goes_and_without_one_nothing(runtime, business, broker, clock):
    await _template(runtime, business.id)
    quiet = await add_clients(runtime, business.id, 2, wrote_at=NOW - timedelta(days=3))
    with_template = await make_campaign(runtime, business.id, template_name="volta", template_language="pt_BR", holdout_percent=5)
    await start(runtime, business.id, with_template)
    sent = await run_due_at(runtime, broker, clock, local(23, 10))
    assert {(r.client_id, r.kind) for r in sent} == {(quiet[0], "template"), (quiet[1], "template")}
    assert sent[0].payload == {"name": "volta", "language": "pt_BR", "parameters": ["Cliente", "Studio Força"], "buttons": ["menu:book"]}
    without = await make_campaign(runtime, business.id, holdout_percent=5)
    await start(runtime, business.id, without, local(23, 11))
    assert await run_due_at(runtime, broker, clock, local(24, 10)) == []
    assert {m.skipped_reason for m in await members(runtime, without)} == {"outside the 24-hour window, no template"}


async def test_sends_keep_the_window_quiet_hours_and_the_daily_cap(runtime, business, broker, clock):
    await add_clients(runtime, business.id, 5, wrote_at=None)
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).quiet_start_min = 22 * 60
        (await session.get(Business, business.id)).quiet_end_min = 11 * 60  # 22:00–11:00: the 10:00 window opens at 11:00
    capped = await make_campaign(runtime, business.id, daily_cap=2, holdout_percent=5)
    await start(runtime, business.id, capped)  # Monday 09:00
    due = sorted(r.due_at for r in await due_rows(runtime, kind="campaign"))
    assert due == [local(23, 11)] * 2 + [local(24, 11)] * 2 + [local(25, 11)]
    late = await make_campaign(runtime, business.id, daily_cap=10, holdout_percent=5, send_from_min=12 * 60, send_until_min=13 * 60)
    await start(runtime, business.id, late, local(23, 20))  # after today's window: tomorrow at noon
    assert {r.due_at for r in await due_rows(runtime, kind="campaign")} - set(due) == {local(24, 12)}
    night = await make_campaign(runtime, business.id, send_from_min=23 * 60, send_until_min=23 * 60 + 30)
    with pytest.raises(InvalidCampaign, match="inside the quiet hours"):
        await start(runtime, business.id, night)
    assert await members(runtime, night) == []


async def test_the_scheduler_sends_each_day_no_more_than_the_cap(runtime, business, broker, clock):
    await _template(runtime, business.id)
    await add_clients(runtime, business.id, 5)
    campaign = await make_campaign(runtime, business.id, daily_cap=2, holdout_percent=5, template_name="volta",
                                   template_language="pt_BR")
    await start(runtime, business.id, campaign)
    assert await run_due_at(runtime, broker, clock, local(23, 9, 59)) == []
    assert len(await run_due_at(runtime, broker, clock, local(23, 10))) == 2
    assert await run_due_at(runtime, broker, clock, local(23, 18)) == []
    tuesday = await run_due_at(runtime, broker, clock, local(24, 10))  # the window closed: the template
    assert [r.kind for r in tuesday] == ["template", "template"]
    assert len(await run_due_at(runtime, broker, clock, local(25, 10))) == 1


async def test_finishing_a_campaign_cancels_the_sends_not_made(web, runtime, business, broker, clock):
    await add_clients(runtime, business.id, 4)
    campaign = await make_campaign(runtime, business.id, daily_cap=1, holdout_percent=5)
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/campaigns/{campaign}/start", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 302
    again = await web.post(f"/admin/campaigns/{campaign}/start", data={"csrf_token": token}, allow_redirects=False)
    assert again.status == 400 and "already started" in await again.text()
    assert len(await run_due_at(runtime, broker, clock, local(23, 10))) == 1
    assert (await web.post(f"/admin/campaigns/{campaign}/finish", data={"csrf_token": token}, allow_redirects=False)).status == 302
    assert await run_due_at(runtime, broker, clock, local(26, 10)) == []
    assert {r.status for r in await due_rows(runtime, kind="campaign")} == {"done", "cancelled"}


async def test_conversion_is_a_booking_or_a_check_in_within_the_days_and_the_report_shows_it(web, runtime, business, broker, clock,
                                                                                            monkeypatch, capsys):
    studio = await make_studio(runtime, business, clients=0)
    clients = await add_clients(runtime, business.id, 8)
    campaign = await make_campaign(runtime, business.id, conversion_days=7, name="Volta")
    await start(runtime, business.id, campaign)
    split = await arms(runtime, campaign)
    treated, holdout = sorted(split["treated"]), sorted(split["holdout"])
    assert len(treated) == len(holdout) == 4 and set(clients) == split["treated"] | split["holdout"]
    await run_due_at(runtime, broker, clock, local(23, 10))
    await book(runtime, studio, treated[0], studio.ana, local(25, 10))  # booked on Wednesday: kept
    async with runtime.sessions.begin() as session:
        session.add_all([CheckIn(business_id=business.id, client_id=treated[1], method="staff", checked_in_at=local(27, 7)),
                         CheckIn(business_id=business.id, client_id=treated[2], method="staff", checked_in_at=local(22, 7)),  # before
                         CheckIn(business_id=business.id, client_id=treated[3], method="staff", checked_in_at=local(1, 7, month=12)),
                         CheckIn(business_id=business.id, client_id=holdout[0], method="qr", checked_in_at=local(24, 18))])
    clock._now = local(3, 12, month=12)
    token = await as_owner(web, runtime, business.id)
    html = await (await web.get(f"/admin/campaigns/{campaign}")).text()
    page = visible_text(html)
    assert "Messaged 4 2 50.0%" in page and "Holdout 4 1 25.0%" in page
    assert "Uplift: +25.0 pts (95% interval" in page and "Newcombe hybrid score, 95%" in page
    assert "Cliente" in page and "Sent 4, waiting 0" in page and "Not yet distinguishable from no effect." in page
    kept = {int(n) for n in re.findall(r'href="/admin/clients/(\d+)"', html.split('aria-label="Members kept"', 1)[-1])}
    assert kept == {treated[0], treated[1]} and token
    text, result = await report(campaign, make_settings().database_url)
    assert "Messaged       2 of 4      came back  50.0%" in text and "Members it kept: 2" in text
    assert result["treated"] == {"members": 4, "converted": 2, "rate": 0.5} and result["uplift"] == pytest.approx(0.25)
    assert result["ci95"][0] < 0 < result["ci95"][1] and result["kept"] == 2
    for name, value in make_settings().model_dump(by_alias=True).items():
        if value is not None:
            monkeypatch.setenv(name, value.get_secret_value() if hasattr(value, "get_secret_value") else str(value))
    await asyncio.to_thread(fitzap, ["campaigns", "report", str(campaign)])
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == f"Campaign {campaign}: Volta (running)" and json.loads(out[-1])["holdout"]["converted"] == 1
    with pytest.raises(SystemExit):
        await asyncio.to_thread(fitzap, ["campaigns", "report", "999999"])
    assert "no campaign with id 999999" in capsys.readouterr().err


async def test_segments_choose_by_the_latest_risk_or_by_thirty_days_without_a_visit(runtime, business):
    studio = await make_studio(runtime, business, clients=0)
    c = await add_clients(runtime, business.id, 5)
    async with runtime.sessions.begin() as session:
        for client_id, old, new in ((c[0], 0.9, 0.8), (c[1], 0.9, 0.3), (c[2], 0.1, 0.6)):
            session.add_all([ChurnScore(business_id=business.id, client_id=client_id, scored_on=day, risk=risk, reasons=[],
                                        model_version="t", created_at=NOW)
                             for day, risk in ((date(2026, 11, 21), old), (date(2026, 11, 22), new))])
        session.add(CheckIn(business_id=business.id, client_id=c[3], method="qr", checked_in_at=NOW - timedelta(days=40)))
        session.add(CheckIn(business_id=business.id, client_id=c[4], method="qr", checked_in_at=NOW - timedelta(days=20)))
    await book(runtime, studio, c[1], studio.ana, local(26, 10))  # a session to come: not inactive
    at_risk = await make_campaign(runtime, business.id, segment="at_risk", min_risk=0.5, holdout_percent=5)
    await start(runtime, business.id, at_risk)
    assert (await arms(runtime, at_risk))["treated"] == {c[0], c[2]}  # the latest day's risk, at least 50%
    inactive = await make_campaign(runtime, business.id, segment="inactive_30d", holdout_percent=5)
    await start(runtime, business.id, inactive)
    assert (await arms(runtime, inactive))["treated"] == {c[0], c[2], c[3]}
