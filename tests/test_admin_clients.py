"""The clients pages: list, search, the client page, add/edit/deactivate, notes, and who sees what."""
from __future__ import annotations

from sqlalchemy import func, select, text

from admin.page_support import local_time
from domain.models import Client, ClientNote, InboundMessage, OutboundMessage
from domain.scheduling import checkins, credits
from domain.sql.db import create_engine
from tests.booking_setup import make_studio
from tests.client_admin_setup import as_owner, as_trainer, book, hours, other_business_client, visible_text


async def _client(runtime, client_id: int) -> Client:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        client = await session.get(Client, client_id)
        assert client is not None
        return client


async def _count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_owner_sees_every_client_with_last_visit_credits_and_status(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=3)
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 5, now)
        await checkins.check_in(session, business.id, studio.clients[1], now, method="staff")
        (await session.get(Client, studio.clients[2])).opted_out = True
    await as_owner(web, runtime, business.id)
    page = visible_text(await (await web.get("/admin/clients")).text())
    assert "Cliente 0 +5511900000000 +5511900000000 — 5 active" in page
    assert f"Cliente 1 +5511900000001 +5511900000001 {local_time('America/Sao_Paulo')(now)} 0 active" in page
    assert "Cliente 2 +5511900000002 +5511900000002 — 0 opted out" in page


async def test_search_finds_clients_by_name_or_phone_digits(web, runtime, business) -> None:
    await make_studio(runtime, business, clients=12)
    await as_owner(web, runtime, business.id)
    by_name = visible_text(await (await web.get("/admin/clients", params={"q": "cliente 11"})).text())
    assert "Cliente 11" in by_name and "Cliente 10" not in by_name
    by_phone = visible_text(await (await web.get("/admin/clients", params={"q": "(11) 90000-0003"})).text())
    assert "Cliente 3" in by_phone and "Cliente 4" not in by_phone
    nothing = visible_text(await (await web.get("/admin/clients", params={"q": "100%_"})).text())
    assert "No client matches" in nothing


async def test_search_ignores_accents_and_case(web, runtime, business, tmp_path) -> None:
    studio = await make_studio(runtime, business, clients=3)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, studio.clients[0])).profile_name = "João Conceição"
        (await session.get(Client, studio.clients[1])).profile_name = "JOANA"
    await as_owner(web, runtime, business.id)
    for typed in ("joao", "JOÃO", "conceicao", "Joao Conc"):
        page = visible_text(await (await web.get("/admin/clients", params={"q": typed})).text())
        assert "João Conceição" in page and "JOANA" not in page, typed
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'fold.db'}")  # the demo's SQLite: the same function
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT fz_fold('João Conceição')")) == "joao conceicao"
    await engine.dispose()


async def test_client_list_is_paged(web, runtime, business) -> None:
    await make_studio(runtime, business, clients=30)
    await as_owner(web, runtime, business.id)
    first = visible_text(await (await web.get("/admin/clients")).text())
    second = visible_text(await (await web.get("/admin/clients", params={"page": "2"})).text())
    assert "Page 1 of 2" in first and "Clients (30)" in first
    assert "Page 2 of 2" in second and first.count("Cliente ") == 25 and second.count("Cliente ") == 5


async def test_anonymous_visitor_cannot_see_or_change_clients(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    for path in ("/admin/clients", f"/admin/clients/{studio.clients[0]}"):
        response = await web.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/admin/login")
    from tests.admin_support import csrf_of

    token = await csrf_of(web)
    response = await web.post("/admin/clients", data={"csrf_token": token, "phone": "11987654321"}, allow_redirects=False)
    assert response.status == 403
    assert await _count(runtime, Client) == 1


async def test_trainer_sees_only_their_own_clients(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=3)
    await book(runtime, studio, studio.clients[0], studio.ana, runtime.clock.now() + hours(30))
    await book(runtime, studio, studio.clients[1], studio.bruno, runtime.clock.now() + hours(50))
    await as_trainer(web, runtime, business.id, studio.ana)
    page = visible_text(await (await web.get("/admin/clients")).text())
    assert "Cliente 0" in page and "Cliente 1" not in page and "Cliente 2" not in page
    assert "Add a client" not in page
    assert (await web.get(f"/admin/clients/{studio.clients[0]}")).status == 200
    assert (await web.get(f"/admin/clients/{studio.clients[1]}")).status == 404


async def test_client_page_shows_bookings_check_ins_ledger_conversation_and_notes(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    me, now = studio.clients[0], runtime.clock.now()
    await book(runtime, studio, me, studio.ana, now + hours(30))
    await book(runtime, studio, me, studio.bruno, now - hours(50))
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, me, 8, now, note="Pacote 8")
        await checkins.check_in(session, business.id, me, now, method="qr")
        session.add(InboundMessage(business_id=business.id, client_id=me, provider_message_id="wamid.A", kind="text",
                                   body="Posso remarcar?", payload={}, sent_at=now - hours(1), received_at=now))
        for body in ("Claro!", "Quando?"):  # one turn's replies share their time: kept in the order written
            session.add(OutboundMessage(business_id=business.id, client_id=me, kind="text", body=body,
                                        payload={"body": body}, status="sent", next_attempt_at=now,
                                        created_at=now - hours(0.9), updated_at=now))
        session.add(ClientNote(business_id=business.id, client_id=me, author_name="Olga Owner", body="Joelho sensível",
                               created_at=now))
    await as_owner(web, runtime, business.id)
    page = visible_text(await (await web.get(f"/admin/clients/{me}")).text())
    upcoming, past = page.split("Upcoming")[1].split("Past")
    assert "Treino personal Ana booked" in upcoming and "Bruno" not in upcoming
    assert "Treino personal Bruno booked" in past
    assert "(qr, walk-in)" in page
    assert "purchase +8 Pacote 8" in page
    assert page.index("Posso remarcar?") < page.index("Claro!") < page.index("Quando?")
    assert "Joelho sensível Olga Owner" in page
    assert "Receives messages" in page


async def test_add_client_normalises_the_phone_with_the_business_country(web, runtime, business) -> None:
    token = await as_owner(web, runtime, business.id)
    response = await web.post("/admin/clients", data={"csrf_token": token, "phone": "(11) 98765-4321", "name": "Maria",
                                                      "locale": "pt-BR"})
    assert response.status == 200 and "Added Maria." in await response.text()
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
    assert (client.phone_e164, client.contact_key, client.wa_id, client.locale) == (
        "+5511987654321", "+5511987654321", "5511987654321", "pt-BR")
    assert str(response.url).endswith(f"/admin/clients/{client.id}")


async def test_add_client_with_invalid_phone_shows_error_and_saves_nothing(web, runtime, business) -> None:
    token = await as_owner(web, runtime, business.id)
    for phone, words in (("12345", "not a valid phone number"), ("call me", "is not a phone number"),
                         ("", "Type the client's WhatsApp number")):
        response = await web.post("/admin/clients", data={"csrf_token": token, "phone": phone, "name": "Zé"})
        assert response.status == 400
        assert words in visible_text(await response.text())
    assert await _count(runtime, Client) == 0


async def test_add_client_with_a_phone_already_known_shows_error(web, runtime, business) -> None:
    token = await as_owner(web, runtime, business.id)
    await web.post("/admin/clients", data={"csrf_token": token, "phone": "+55 11 98765-4321", "name": "Maria"})
    # The old eight-digit form of the same mobile is the same person.
    response = await web.post("/admin/clients", data={"csrf_token": token, "phone": "11 8765-4321", "name": "Maria 2"})
    assert response.status == 400
    page = visible_text(await response.text())
    assert "+5511987654321 is already one of your clients." in page and "Open that client" in page
    assert await _count(runtime, Client) == 1


async def test_trainer_cannot_add_or_deactivate_clients(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await book(runtime, studio, studio.clients[0], studio.ana, runtime.clock.now() + hours(30))
    token = await as_trainer(web, runtime, business.id, studio.ana)
    added = await web.post("/admin/clients", data={"csrf_token": token, "phone": "11987654321"})
    deactivated = await web.post(f"/admin/clients/{studio.clients[0]}/active", data={"csrf_token": token, "active": "false"})
    assert added.status == deactivated.status == 403
    assert await _count(runtime, Client) == 1
    assert (await _client(runtime, studio.clients[0])).deactivated_at is None


async def test_edit_client_changes_name_phone_and_language(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/clients/{studio.clients[0]}/edit",
                              data={"csrf_token": token, "name": "Carla Dias", "phone": "21 99876-5432", "locale": "en"})
    assert response.status == 200 and "Client saved." in await response.text()
    client = await _client(runtime, studio.clients[0])
    assert (client.profile_name, client.phone_e164, client.contact_key, client.locale) == (
        "Carla Dias", "+5521998765432", "+5521998765432", "en")


async def test_a_client_living_elsewhere_gets_their_own_time_zone(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    token = await as_owner(web, runtime, business.id)
    path, same = f"/admin/clients/{studio.clients[0]}/edit", {"csrf_token": token, "name": "Carla", "phone": "+5511900000000"}
    typo = await web.post(path, data={**same, "timezone": "America/Manaos"})
    assert typo.status == 400 and "is not a time zone" in await typo.text()
    assert (await _client(runtime, studio.clients[0])).timezone is None
    saved = await web.post(path, data={**same, "timezone": "America/Manaus"})
    assert saved.status == 200 and "America/Manaus" in visible_text(await saved.text())
    assert (await _client(runtime, studio.clients[0])).timezone == "America/Manaus"


async def test_invalid_edit_shows_errors_and_changes_nothing(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=2)
    token = await as_owner(web, runtime, business.id)
    path = f"/admin/clients/{studio.clients[0]}/edit"
    bad_phone = await web.post(path, data={"csrf_token": token, "name": "X", "phone": "99", "locale": "pt-BR"})
    taken = await web.post(path, data={"csrf_token": token, "name": "X", "phone": "+5511900000001", "locale": "pt-BR"})
    bad_locale = await web.post(path, data={"csrf_token": token, "name": "X", "phone": "+5511900000000", "locale": "fr"})
    assert bad_phone.status == taken.status == bad_locale.status == 400
    assert "not a valid phone number" in await bad_phone.text()
    assert "+5511900000001 already belongs to another client." in await taken.text()
    assert "Choose one of &#39;pt-BR&#39; or &#39;en&#39;." in await bad_locale.text()
    client = await _client(runtime, studio.clients[0])
    assert (client.profile_name, client.phone_e164, client.locale) == ("Cliente 0", "+5511900000000", None)


async def test_owner_deactivates_and_reactivates_a_client(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    token = await as_owner(web, runtime, business.id)
    path = f"/admin/clients/{studio.clients[0]}/active"
    response = await web.post(path, data={"csrf_token": token, "active": "false"})
    assert "Client deactivated." in await response.text()
    assert "Cliente 0 +5511900000000 +5511900000000 — 0 deactivated" in visible_text(await (await web.get("/admin/clients")).text())
    response = await web.post(path, data={"csrf_token": token, "active": "true"})
    assert "Client reactivated." in await response.text()
    assert (await _client(runtime, studio.clients[0])).deactivated_at is None


async def test_note_is_kept_with_its_author_and_time(web, runtime, business, clock) -> None:
    studio = await make_studio(runtime, business, clients=1)
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/clients/{studio.clients[0]}/notes", data={"csrf_token": token, "body": "Prefere manhã"})
    assert "Note added." in await response.text()
    async with runtime.sessions() as session:
        note = (await session.execute(select(ClientNote))).scalar_one()
    assert (note.body, note.author_name, note.created_at) == ("Prefere manhã", "Olga Owner", clock.now())
    empty = await web.post(f"/admin/clients/{studio.clients[0]}/notes", data={"csrf_token": token, "body": "  "})
    assert empty.status == 400 and "Write the note first" in await empty.text()
    assert await _count(runtime, ClientNote) == 1


async def test_another_business_client_is_not_found(web, runtime, business) -> None:
    outsider = await other_business_client(runtime)
    token = await as_owner(web, runtime, business.id)
    assert (await web.get(f"/admin/clients/{outsider}")).status == 404
    for action, data in (("edit", {"name": "Mine", "phone": "+14155550100", "locale": "en"}),
                         ("notes", {"body": "hello"}), ("active", {"active": "false"})):
        response = await web.post(f"/admin/clients/{outsider}/{action}", data={"csrf_token": token, **data})
        assert response.status == 404, action
    client = await _client(runtime, outsider)
    assert client.profile_name == "Outsider" and client.deactivated_at is None
    assert await _count(runtime, ClientNote) == 0


async def test_client_name_with_script_is_escaped(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        (await session.get(Client, studio.clients[0])).profile_name = "<script>alert('name')</script>"
        session.add(InboundMessage(business_id=business.id, client_id=studio.clients[0], provider_message_id="wamid.X",
                                   kind="text", body="<script>alert('msg')</script>", payload={}, sent_at=now,
                                   received_at=now))
    await as_owner(web, runtime, business.id)
    for path in ("/admin/clients", f"/admin/clients/{studio.clients[0]}"):
        html = await (await web.get(path)).text()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(" in html


async def test_client_added_in_the_panel_keeps_the_typed_name_when_they_write(web, runtime, business, broker) -> None:
    from tests.support import inbound, signed

    token = await as_owner(web, runtime, business.id)
    await web.post("/admin/clients", data={"csrf_token": token, "phone": "11 98765-4321", "name": "Maria (manhã)"})
    raw, headers = signed(inbound("text", message_id="wamid.FIRST", text="oi"))  # WhatsApp calls her "Maria Souza"
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    async with runtime.sessions() as session:
        client = (await session.execute(select(Client))).scalar_one()
    assert (client.profile_name, client.last_inbound_at is not None) == ("Maria (manhã)", True)


async def test_a_business_without_a_country_needs_numbers_with_the_country_code(web, runtime, business) -> None:
    from domain.models import Business

    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).locale = "en"
    token = await as_owner(web, runtime, business.id)
    local = await web.post("/admin/clients", data={"csrf_token": token, "phone": "98765-4321", "locale": "en"})
    assert local.status == 400 and "with the country code (+…)" in visible_text(await local.text())
    full = await web.post("/admin/clients", data={"csrf_token": token, "phone": "+1 415 555 0123", "locale": "en"})
    assert full.status == 200
    assert (await _client(runtime, 1)).phone_e164 == "+14155550123"


async def test_trainer_login_without_a_staff_row_sees_no_client(web, runtime, business) -> None:
    from tests.admin_support import login, make_user

    studio = await make_studio(runtime, business, clients=2)
    await book(runtime, studio, studio.clients[0], studio.ana, runtime.clock.now() + hours(30))
    await make_user(runtime, business.id, role="trainer", email="nostaff@studio.test", staff_id=None)
    await login(web, "nostaff@studio.test")
    page = visible_text(await (await web.get("/admin/clients")).text())
    assert "Clients (0)" in page and "Cliente 0" not in page
    assert (await web.get(f"/admin/clients/{studio.clients[0]}")).status == 404
