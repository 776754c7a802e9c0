"""Editing and deactivating clients, and leads, through the API: the panel's rules, what an API user sees."""
from __future__ import annotations

from datetime import timedelta

import pytest

from domain.clock import FixedClock
from domain.models import Client
from domain.people import leads, privacy
from domain.scheduling import booking
from tests.api_support import Api, make_token, open_api
from tests.booking_setup import NOW, local, make_client
from tests.panel_calendar_support import book


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def test_a_client_is_edited_and_fields_not_sent_stay_as_they_were(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    status, body, _ = await setup.api.patch(f"/clients/{client}", {"name": "Ana Lima", "email": " Ana@Example.com ",
                                                                     "timezone": "America/Manaus", "locale": "en"})
    assert status == 200
    assert (body["name"], body["email"], body["timezone"], body["locale"], body["phone"]) == (
        "Ana Lima", "ana@example.com", "America/Manaus", "en", "+5511900000000")
    assert (await setup.api.get(f"/clients/{client}"))[1] == body
    status, body, _ = await setup.api.patch(f"/clients/{client}", {"email": None, "timezone": None})
    assert status == 200 and body["email"] is None and body["timezone"] is None
    assert (body["name"], body["locale"]) == ("Ana Lima", "en")
    for field in ("phone", "locale"):  # these cannot be cleared: null is refused, as the document says
        status, problem, _ = await setup.api.patch(f"/clients/{client}", {field: None})
        assert status == 400 and problem["errors"][0]["field"] == field


async def test_a_clients_phone_is_changed_to_a_free_valid_number_only(web, runtime, business):
    setup = await open_api(web, runtime, business)
    first, second = setup.studio.clients[:2]
    status, body, _ = await setup.api.patch(f"/clients/{first}", {"phone": "(11) 98765-4321"})
    assert status == 200 and body["phone"] == "+5511987654321"
    status, problem, _ = await setup.api.patch(f"/clients/{second}", {"phone": "+55 11 98765-4321"})
    assert status == 409 and problem["code"] == "duplicate_phone"
    status, problem, _ = await setup.api.patch(f"/clients/{second}", {"phone": "12"})
    assert status == 400 and problem["errors"][0]["field"] == "phone"
    status, problem, _ = await setup.api.patch(f"/clients/{second}", {"phone": None, "timezone": "Mars/Olympus",
                                                                       "email": "not-an-email"})
    assert status == 400 and {e["field"] for e in problem["errors"]} == {"phone", "timezone", "email"}
    assert (await setup.api.get(f"/clients/{second}"))[1]["phone"] == "+5511900000001"


async def test_deleting_a_client_deactivates_them_and_keeps_their_history(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    kept = await book(runtime, studio, local(24, 7))
    status, body, response = await setup.api.delete(f"/clients/{studio.clients[0]}")
    assert status == 204 and body is None and response.headers["Cache-Control"] == "no-store"
    client = (await setup.api.get(f"/clients/{studio.clients[0]}"))[1]
    assert client["active"] is False and client["name"] == "Cliente 0"
    assert (await setup.api.get(f"/bookings/{kept.id}"))[1]["client_id"] == studio.clients[0]
    assert (await setup.api.delete(f"/clients/{studio.clients[0]}"))[0] == 204  # already deactivated: still done
    assert (await setup.api.get(f"/clients/{studio.clients[1]}"))[1]["active"] is True


async def test_an_erased_client_can_be_neither_edited_nor_deactivated(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    async with runtime.sessions.begin() as session:
        await privacy.erase_client(session, business.id, client, NOW)
    status, problem, _ = await setup.api.patch(f"/clients/{client}", {"name": "Back again"})
    assert status == 409 and problem["code"] == "client_erased"
    assert (await setup.api.delete(f"/clients/{client}"))[1]["code"] == "client_erased"


async def test_another_business_client_is_not_found_for_edit_and_delete(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    other = Api(web, await make_token(runtime, setup.other.id))
    status, problem, _ = await other.patch(f"/clients/{client}", {"name": "Hijacked"})
    assert status == 404 and problem["code"] == "not_found" and "Cliente" not in str(problem)
    assert (await other.delete(f"/clients/{client}"))[0] == 404
    body = (await setup.api.get(f"/clients/{client}"))[1]
    assert body["name"] == "Cliente 0" and body["active"] is True


async def test_a_read_token_can_neither_edit_delete_nor_add_a_lead(web, runtime, business):
    setup = await open_api(web, runtime, business, scope="read")
    client = setup.studio.clients[0]
    for status, problem, _ in (await setup.api.patch(f"/clients/{client}", {"name": "X"}),
                               await setup.api.delete(f"/clients/{client}"),
                               await setup.api.post("/leads", {"phone": "+5511912345678"})):
        assert status == 403 and problem["code"] == "forbidden"
    assert (await setup.api.get(f"/clients/{client}"))[1]["active"] is True


async def test_a_lead_typed_in_by_phone_is_a_new_client_at_the_start_of_the_pipeline(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, lead, _ = await setup.api.post("/leads", {"phone": "(11) 91234-5678", "name": "Carla"},
                                           headers={"Idempotency-Key": "lead-1"})
    assert status == 201
    assert (lead["source"], lead["source_detail"], lead["stage"], lead["phone"]) == ("typed", "API", "new", "+5511912345678")
    assert (await setup.api.get(f"/clients/{lead['client_id']}"))[1]["name"] == "Carla"
    replay = await setup.api.post("/leads", {"phone": "(11) 91234-5678", "name": "Carla"}, headers={"Idempotency-Key": "lead-1"})
    assert replay[1] == lead and replay[2].headers["Idempotent-Replayed"] == "true"
    assert (await setup.api.get("/leads"))[1]["data"] == [lead]
    for phone in ("+55 11 91234-5678", "+5511900000000"):  # a lead already, or already a client
        status, problem, _ = await setup.api.post("/leads", {"phone": phone})
        assert status == 409 and problem["code"] == "already_client"


async def test_leads_are_filtered_by_stage_and_source_newest_first_in_pages(web, runtime, business, clock):
    setup = await open_api(web, runtime, business)
    async with runtime.sessions.begin() as session:
        ids = [await make_client(session, business.id, n) for n in (10, 11, 12)]
        made = []
        for n, client_id in enumerate(ids):
            row = await session.get(Client, client_id)
            made.append(await leads.first_contact(session, business.id, row, text="oi", now=NOW + timedelta(minutes=n),
                                                  referral={"headline": "Aula grátis"} if n < 2 else None))
    await book(runtime, setup.studio, local(24, 7), client=0)  # not a lead: no effect
    async with runtime.sessions.begin() as session:
        await booking.book_personal(session, business.id, client_id=ids[0], service_id=setup.studio.personal,
                                    staff_id=setup.studio.ana, starts_at=local(25, 7), now=NOW + timedelta(minutes=5))
    body = (await setup.api.get("/leads"))[1]
    assert [(lead["client_id"], lead["source"], lead["stage"]) for lead in body["data"]] == [
        (ids[2], "organic", "new"), (ids[1], "ad", "new"), (ids[0], "ad", "trial_booked")]
    assert body["data"][2]["trial_booked_at"] == "2026-11-23T12:05:00Z" and body["data"][1]["source_detail"] == "Aula grátis"
    assert [lead["client_id"] for lead in (await setup.api.get("/leads", stage="trial_booked"))[1]["data"]] == [ids[0]]
    assert [lead["client_id"] for lead in (await setup.api.get("/leads", source="ad", stage="new"))[1]["data"]] == [ids[1]]
    first = (await setup.api.get("/leads", source="ad", limit=1))[1]
    rest = (await setup.api.get("/leads", source="ad", limit=1, cursor=first["next_cursor"]))[1]
    assert [lead["id"] for lead in first["data"] + rest["data"]] == [made[1].id, made[0].id] and rest["next_cursor"] is None
    status, problem, _ = await setup.api.get("/leads", stage="hot")
    assert status == 400 and problem["errors"][0]["field"] == "stage"


async def test_another_business_sees_none_of_the_leads(web, runtime, business):
    setup = await open_api(web, runtime, business)
    assert (await setup.api.post("/leads", {"phone": "+5511912345678"}))[0] == 201
    other = Api(web, await make_token(runtime, setup.other.id))
    assert (await other.get("/leads"))[1] == {"data": [], "next_cursor": None}
