"""Not understood: what the bot was unsure of reaches the panel, staff say what it meant in one click, and the
next client who writes it that way, or nearly, is understood."""
from __future__ import annotations

from sqlalchemy import select

from domain.messaging import unclear
from domain.models import Client, UnclearMessage
from tests.client_admin_setup import as_trainer, other_business_client, visible_text
from tests.transcript_runner import Transcript


async def _kept(runtime) -> list[UnclearMessage]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return list(await session.scalars(select(UnclearMessage).order_by(UnclearMessage.id)))


async def test_staff_teach_a_meaning_and_the_bot_then_understands_it(web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup({"known": True})
    await chat.say({"client": "quero ver uns horários", "bot": ["[buttons] Não tenho certeza se entendi 🤔"]})
    await chat.say({"client": "xpto zumba lalala", "bot": ["Desculpa, não entendi"]})
    kept = await _kept(runtime)
    assert [m.text for m in kept] == ["quero ver uns horários", "xpto zumba lalala"]
    assert set(kept[0].options) == {"my_appointments", "book"}
    token = await as_trainer(web, runtime, business.id, chat.studio.ana)
    page = visible_text(await (await web.get("/admin/not-understood")).text())
    assert "“quero ver uns horários”" in page and "my appointments" in page
    response = await web.post(f"/admin/not-understood/{kept[0].id}", data={"intent": "book", "csrf_token": token},
                              allow_redirects=False)
    assert response.status == 302
    assert "means book" in visible_text(await (await web.get(response.headers["Location"])).text())
    await chat.say({"client": "Quero ver uns horarios!", "bot": ["[list] O que você quer marcar? Treino personal | Spinning"]})
    await chat.say({"client": "menu", "bot": ["[list]"]})
    await chat.say({"client": "queria ver uns horarios pf", "bot": ["[list] O que você quer marcar?"]})  # nearly the same


async def test_a_meaning_must_be_one_of_the_intents_and_of_this_business(web, runtime, business, broker, clock):
    chat = Transcript(web, runtime, business, broker, clock)
    await chat.setup({"known": True})
    await chat.say({"client": "xpto zumba lalala", "bot": ["Desculpa, não entendi"]})
    mine = (await _kept(runtime))[0]
    theirs_client = await other_business_client(runtime)
    async with runtime.sessions.begin() as session:
        other = await session.get(Client, theirs_client)
        await unclear.keep(session, other.business_id, other.id, "segredo deles", "segredo deles", "pt-BR", "unknown", 0.3, [],
                           clock.now())
    theirs = (await _kept(runtime))[-1]
    token = await as_trainer(web, runtime, business.id, chat.studio.ana)
    assert "segredo deles" not in await (await web.get("/admin/not-understood")).text()
    bad = await web.post(f"/admin/not-understood/{mine.id}", data={"intent": "drop_table", "csrf_token": token})
    assert bad.status == 400
    forged = await web.post(f"/admin/not-understood/{theirs.id}", data={"intent": "book", "csrf_token": token})
    assert forged.status == 404
    assert (await web.post(f"/admin/not-understood/{mine.id}", data={"intent": "book"})).status == 403  # no CSRF token
    assert [m.intent for m in await _kept(runtime)] == [None, None]
