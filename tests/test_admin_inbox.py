"""The inbox: who waits for a person, taking over, replying as the trainer inside WhatsApp's rules, handing back."""
from __future__ import annotations

import json

import respx
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from conversations.team_notices import tell
from domain.messaging import message_templates
from domain.models import Business, Client, Conversation, InboundMessage, OutboundMessage
from tests.admin_support import csrf_of
from tests.booking_setup import make_studio
from tests.client_admin_setup import as_owner, as_trainer, book, hours, other_business_client, visible_text
from tests.support import drain, inbound, signed
from tests.test_delivery import SEND_URL, ok


async def _outbox(runtime) -> list[OutboundMessage]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all())


async def _client_says(web: TestClient, text: str, message_id: str) -> None:
    raw, headers = signed(inbound("text", message_id=message_id, text=text))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200


async def _converse(runtime, client_id: int, *, handoff: bool, minutes_ago: float, says: str = "oi") -> None:  # type: ignore[no-untyped-def]
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        at, client = now - hours(minutes_ago / 60), await session.get(Client, client_id)
        session.add(Conversation(business_id=client.business_id, client_id=client_id, state={}, handoff=handoff,
                                 version=1, updated_at=at))
        session.add(InboundMessage(business_id=client.business_id, client_id=client_id, provider_message_id=f"wamid.{client_id}",
                                   kind="text",
                                   body=says, payload={}, sent_at=at, received_at=at))
        client.last_inbound_at = at


@respx.mock(assert_all_mocked=True)
async def test_takeover_silences_bot_and_trainer_reply_reaches_outbox(web, runtime, business, broker, respx_mock) -> None:
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    await _client_says(web, "oi", "wamid.IN1")
    await drain(broker, runtime)
    bot_rows = len(await _outbox(runtime))
    token = await as_owner(web, runtime, business.id)

    taken = await web.post("/admin/inbox/1/take-over", data={"csrf_token": token})
    assert "the bot stays quiet" in visible_text(await taken.text())
    await _client_says(web, "quero falar com a Olga", "wamid.IN2")
    await drain(broker, runtime)
    assert [r.kind for r in (await _outbox(runtime))[bot_rows:]] == ["read"]  # blue ticks, no bot words

    sent = await web.post("/admin/inbox/1/reply", data={"csrf_token": token, "body": "Oi Maria, aqui é a Olga!"})
    assert sent.status == 200 and "Oi Maria, aqui é a Olga!" in visible_text(await sent.text())
    await drain(broker, runtime)
    last = (await _outbox(runtime))[-1]
    assert (last.kind, last.body, last.status) == ("text", "Oi Maria, aqui é a Olga!", "sent")
    assert json.loads(route.calls[-1].request.content)["text"]["body"] == "Oi Maria, aqui é a Olga!"


@respx.mock(assert_all_mocked=True)
async def test_hand_back_lets_the_bot_answer_again(web, runtime, business, broker, respx_mock) -> None:
    respx_mock.post(SEND_URL).mock(side_effect=ok)
    await _client_says(web, "oi", "wamid.IN1")
    await drain(broker, runtime)
    token = await as_owner(web, runtime, business.id)
    await web.post("/admin/inbox/1/take-over", data={"csrf_token": token})
    back = await web.post("/admin/inbox/1/hand-back", data={"csrf_token": token})
    assert "Handed back to the bot." in await back.text() and "The bot is answering" in await back.text()
    before = len(await _outbox(runtime))
    await _client_says(web, "menu", "wamid.IN2")
    await drain(broker, runtime)
    assert any(r.kind != "read" for r in (await _outbox(runtime))[before:])


async def test_reply_outside_24h_window_requires_template(web, runtime, business, broker, clock) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=25 * 60)
    token = await as_owner(web, runtime, business.id)
    chat = f"/admin/inbox/{studio.clients[0]}"
    page = visible_text(await (await web.get(chat)).text())
    assert "only lets you send an approved template" in page

    refused = await web.post(f"{chat}/reply", data={"csrf_token": token, "body": "Sumiu!"})
    assert refused.status == 400 and "choose an approved template" in visible_text(await refused.text())
    assert await _outbox(runtime) == []

    sent = await web.post(f"{chat}/template", data={"csrf_token": token, "template": "volte_a_treinar",
                                                    "variables": "Cliente 0\n20% off\n"})
    assert sent.status == 200 and "Template sent." in await sent.text()
    (row,) = await _outbox(runtime)
    assert (row.kind, row.status) == ("template", "queued")
    assert row.payload == {"name": "volte_a_treinar", "language": "pt_BR", "parameters": ["Cliente 0", "20% off"]}
    assert broker.queues["outbound"].qsize() == 1  # delivery woken after commit


async def test_only_the_business_templates_can_be_chosen(web, runtime, business) -> None:
    async with runtime.sessions.begin() as session:
        for name in ("volte_a_treinar", "aviso_aula"):
            await message_templates.save_template(session, business.id, runtime.clock.now(), name=name, language="pt_BR",
                                                  purpose="generic", variables=[])
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=False, minutes_ago=30 * 60)
    token = await as_owner(web, runtime, business.id)
    page = await (await web.get(f"/admin/inbox/{studio.clients[0]}")).text()
    assert ">aviso_aula</option>" in page and ">volte_a_treinar</option>" in page
    refused = await web.post(f"/admin/inbox/{studio.clients[0]}/template", data={"csrf_token": token, "template": "hello_world"})
    assert refused.status == 400 and "“hello_world” is not one of your approved templates" in await refused.text()
    assert await _outbox(runtime) == []


async def test_empty_reply_shows_error_and_sends_nothing(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=5)
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/inbox/{studio.clients[0]}/reply", data={"csrf_token": token, "body": "   "})
    assert response.status == 400 and "Write a message first" in await response.text()
    assert await _outbox(runtime) == []


async def test_inbox_lists_conversations_waiting_for_a_person_first(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=3)
    await _converse(runtime, studio.clients[0], handoff=False, minutes_ago=1, says="newest")
    await _converse(runtime, studio.clients[1], handoff=True, minutes_ago=90, says="preciso de ajuda")
    await _converse(runtime, studio.clients[2], handoff=False, minutes_ago=30, says="older")
    await as_owner(web, runtime, business.id)
    page = visible_text(await (await web.get("/admin/inbox")).text())
    assert "1 waiting for a person" in page
    assert page.index("Cliente 1") < page.index("Cliente 0") < page.index("Cliente 2")
    assert "needs a person" in page.split("Cliente 1")[1].split("Cliente 0")[0]


async def test_a_client_asking_for_a_person_waits_until_someone_takes_over(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=5, says="quero falar com alguém")
    token = await as_owner(web, runtime, business.id)
    chat = f"/admin/inbox/{studio.clients[0]}"
    page = visible_text(await (await web.get(chat)).text())
    assert "Waiting for a person: take over to answer" in page and "talking" not in page
    assert "Take over" in page and "Hand back to the bot" in page
    assert (await web.post(f"{chat}/take-over", data={"csrf_token": token}, allow_redirects=False)).status == 302
    page = visible_text(await (await web.get(chat)).text())
    assert "You are talking; the bot is quiet" in page and "Waiting for a person" not in page and "Take over" not in page


async def test_anonymous_visitor_cannot_read_or_answer_conversations(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=5)
    for path in ("/admin/inbox", f"/admin/inbox/{studio.clients[0]}"):
        response = await web.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/admin/login")
    token = await csrf_of(web)
    for action in ("take-over", "reply", "hand-back"):
        response = await web.post(f"/admin/inbox/{studio.clients[0]}/{action}", data={"csrf_token": token, "body": "x"})
        assert response.status == 403
    assert await _outbox(runtime) == []


async def test_trainer_sees_and_answers_only_their_clients(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=2)
    await book(runtime, studio, studio.clients[0], studio.ana, runtime.clock.now() + hours(30))
    for client_id in studio.clients:
        await _converse(runtime, client_id, handoff=True, minutes_ago=5)
    token = await as_trainer(web, runtime, business.id, studio.ana)
    page = visible_text(await (await web.get("/admin/inbox")).text())
    assert "Cliente 0" in page and "Cliente 1" not in page
    assert (await web.get(f"/admin/inbox/{studio.clients[1]}")).status == 404
    response = await web.post(f"/admin/inbox/{studio.clients[1]}/reply", data={"csrf_token": token, "body": "oi"})
    assert response.status == 404
    response = await web.post(f"/admin/inbox/{studio.clients[0]}/reply", data={"csrf_token": token, "body": "oi"})
    assert response.status == 200
    assert [(r.client_id, r.body) for r in await _outbox(runtime)] == [(studio.clients[0], "oi")]


async def test_another_business_conversation_is_not_found(web, runtime, business) -> None:
    outsider = await other_business_client(runtime)
    token = await as_owner(web, runtime, business.id)
    assert (await web.get(f"/admin/inbox/{outsider}")).status == 404
    assert (await web.get(f"/admin/inbox/{outsider}/messages")).status == 404
    for action in ("take-over", "hand-back", "reply", "template"):
        response = await web.post(f"/admin/inbox/{outsider}/{action}",
                                  data={"csrf_token": token, "body": "oi", "template": "volte_a_treinar"})
        assert response.status == 404, action
    assert await _outbox(runtime) == []
    async with runtime.sessions() as session:
        assert (await session.execute(select(Conversation))).first() is None


async def test_client_text_with_script_is_escaped_in_the_inbox(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, studio.clients[0])).profile_name = "<script>alert('name')</script>"
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=5, says="<script>alert('msg')</script>")
    await as_owner(web, runtime, business.id)
    for path in ("/admin/inbox", f"/admin/inbox/{studio.clients[0]}", f"/admin/inbox/{studio.clients[0]}/messages"):
        html = await (await web.get(path)).text()
        assert "<script>alert" not in html and "&lt;script&gt;alert(" in html, path


async def test_the_chat_refresh_returns_only_the_timeline(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _converse(runtime, studio.clients[0], handoff=True, minutes_ago=5, says="tem horário amanhã?")
    await as_owner(web, runtime, business.id)
    fragment = await (await web.get(f"/admin/inbox/{studio.clients[0]}/messages")).text()
    assert fragment.lstrip().startswith("<ol class=\"chat\"") and "tem horário amanhã?" in fragment
    assert "<html" not in fragment


async def _stored_template(runtime, client_id: int, body: str, payload: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        client = await session.get(Client, client_id)
        session.add(OutboundMessage(business_id=client.business_id, client_id=client_id, kind="template", body=body,
                                    payload=payload, status="sent", next_attempt_at=now, created_at=now, updated_at=now))


async def test_a_template_message_shows_as_the_text_the_client_read(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=2)
    async with runtime.sessions.begin() as session:  # neither has written in 24 hours: the panel's news go as templates
        shop = await session.get(Business, business.id)
        (await session.get(Client, studio.clients[1])).locale = "en"
        for client_id in studio.clients:
            await tell(session, shop, client_id, runtime.clock.now(), "team_booked", service="Treino personal",
                       when="ter 24/11 às 07:00", trainer="Ana")
    await as_owner(web, runtime, business.id)
    page = await (await web.get(f"/admin/inbox/{studio.clients[0]}")).text()
    assert "📅 Ana marcou *Treino personal* pra você ter 24/11 às 07:00. Até lá! 💪" in visible_text(page)
    assert "[template" not in page
    assert '<span class="badge" title="Approved template team_booked">template</span>' in page
    page = visible_text(await (await web.get(f"/admin/clients/{studio.clients[1]}")).text())
    assert "📅 Ana booked you for *Treino personal* on ter 24/11 às 07:00. See you there! 💪" in page


async def test_older_template_rows_show_as_text_too(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await _stored_template(runtime, studio.clients[0], "[template missed_session] Cliente 0 | Treino personal | ontem às 07:00",
                           {})
    await _stored_template(runtime, studio.clients[0], "[template volte_a_treinar] Cliente 0 | 20% off",
                           {"name": "volte_a_treinar", "language": "pt_BR", "parameters": ["Cliente 0", "20% off"]})
    await as_owner(web, runtime, business.id)
    page = visible_text(await (await web.get(f"/admin/inbox/{studio.clients[0]}/messages")).text())
    assert "Oi Cliente 0, sentimos sua falta no *Treino personal* ontem às 07:00 💙 Acontece! Quer marcar outro horário?" in page
    assert "volte_a_treinar: Cliente 0 · 20% off" in page  # a template FitZap does not word itself
    assert "[template" not in page
