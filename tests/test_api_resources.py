"""The API's resources over a real studio: what a client of the API sees, under the chat's and panel's rules."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.models import Booking, CheckIn, OutboundMessage, Program, WorkoutLog, WorkoutSession
from domain.scheduling import classes, credits
from tests.api_support import make_token, open_api
from tests.booking_setup import NOW, local, make_client
from tests.panel_calendar_support import book


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _count(runtime, model) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_clients_are_listed_in_pages_with_an_opaque_cursor(web, runtime, business):
    setup = await open_api(web, runtime, business)
    async with runtime.sessions.begin() as session:
        for n in range(3, 8):
            await make_client(session, business.id, n)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        status, body, _ = await setup.api.get("/clients", **params)
        assert status == 200 and len(body["data"]) <= 3
        seen += [c["id"] for c in body["data"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 8 == len(set(seen)) and seen == sorted(seen)


async def test_a_cursor_the_api_did_not_give_is_a_400_problem(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, body, response = await setup.api.get("/clients", cursor="not-a-cursor")
    assert status == 400 and body["code"] == "invalid_request" and body["errors"][0]["field"] == "cursor"
    assert response.content_type == "application/problem+json"


async def test_clients_are_searched_by_name_and_phone_digits(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, body, _ = await setup.api.get("/clients", q="cliente 1")
    assert status == 200 and [c["name"] for c in body["data"]] == ["Cliente 1"]
    status, body, _ = await setup.api.get("/clients", q="00000002")
    assert [c["phone"] for c in body["data"]] == ["+5511900000002"]


async def test_a_client_is_added_by_phone_and_a_second_time_is_a_409(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, body, _ = await setup.api.post("/clients", {"phone": "(11) 98765-4321", "name": "Joana"})
    assert status == 201 and body["phone"] == "+5511987654321" and body["name"] == "Joana" and body["active"]
    assert (await setup.api.get(f"/clients/{body['id']}"))[1] == body
    status, problem, _ = await setup.api.post("/clients", {"phone": "+55 11 98765-4321"})
    assert status == 409 and problem["code"] == "duplicate_phone"


async def test_validation_errors_are_problem_details_with_one_entry_per_field(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, body, response = await setup.api.post("/bookings", {"client_id": "x", "starts_at": "2026-11-24T07:00:00",
                                                                "surprise": 1})
    assert status == 400 and response.content_type == "application/problem+json"
    assert body["type"] == "/api/docs#problem-invalid_request" and body["title"] == "Bad Request"
    fields = {e["field"]: e for e in body["errors"]}
    assert {"client_id", "service_id", "staff_id", "starts_at", "surprise"} <= set(fields)
    assert all(e["in"] == "body" for e in body["errors"])
    status, body, _ = await setup.api.get("/availability", service_id=setup.studio.personal)
    assert status == 400 and body["errors"][0]["field"] == "from"


async def test_services_trainers_and_availability(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    services = (await setup.api.get("/services"))[1]["data"]
    assert [(s["name"], s["kind"], s["trainer_ids"]) for s in services] == [
        ("Treino personal", "personal", sorted([studio.ana, studio.bruno])), ("Spinning", "class", [studio.bruno])]
    trainers = (await setup.api.get("/trainers"))[1]["data"]
    assert [t["name"] for t in trainers] == ["Ana", "Bruno"]
    status, body, _ = await setup.api.get("/availability", service_id=studio.personal, staff_id=studio.ana, **{"from": "2026-11-24"})
    assert status == 200
    starts = [s["starts_at"] for s in body["data"]]
    assert starts[0] == "2026-11-24T09:00:00Z" and all(s["staff_id"] == studio.ana for s in body["data"])  # 06:00 local
    await book(runtime, studio, local(24, 6))
    body = (await setup.api.get("/availability", service_id=studio.personal, staff_id=studio.ana, **{"from": "2026-11-24"}))[1]
    assert "2026-11-24T09:00:00Z" not in [s["starts_at"] for s in body["data"]]


async def test_a_booking_is_made_moved_and_cancelled_under_the_domain_rules(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    request = {"client_id": studio.clients[0], "service_id": studio.personal, "staff_id": studio.ana,
               "starts_at": "2026-11-24T07:00:00-03:00"}
    status, made, _ = await setup.api.post("/bookings", request)
    assert status == 201 and made["status"] == "booked" and made["starts_at"] == "2026-11-24T10:00:00Z"
    status, problem, _ = await setup.api.post("/bookings", {**request, "client_id": studio.clients[1]})
    assert status == 409 and problem["code"] == "slot_taken"
    status, moved, _ = await setup.api.post(f"/bookings/{made['id']}/move", {"starts_at": "2026-11-25T18:00:00-03:00"})
    assert status == 200 and moved["starts_at"] == "2026-11-25T21:00:00Z" and moved["id"] == made["id"]
    status, problem, _ = await setup.api.post(f"/bookings/{made['id']}/move", {"starts_at": "2026-11-23T10:00:00-03:00"})
    assert status == 409 and problem["code"] == "too_soon"
    status, cancelled, _ = await setup.api.post(f"/bookings/{made['id']}/cancel", {"by": "client", "reason": "viagem"})
    assert status == 200 and cancelled["booking"]["status"] == "cancelled" and cancelled["late"] is False
    assert (await setup.api.post(f"/bookings/{made['id']}/cancel", {}))[0] == 409
    assert await _count(runtime, Booking) == 1
    assert await _count(runtime, OutboundMessage) == 3  # booked, moved, cancelled: told in chat as the panel does


async def test_a_booking_can_be_made_without_telling_the_client(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    status, _, _ = await setup.api.post("/bookings", {"client_id": studio.clients[0], "service_id": studio.personal,
                                                      "staff_id": studio.ana, "starts_at": "2026-11-24T07:00:00-03:00",
                                                      "notify_client": False})
    assert status == 201 and await _count(runtime, OutboundMessage) == 0


async def test_bookings_are_filtered_by_day_and_paged(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    for day in (24, 25, 26):
        for hour in (7, 9):
            await book(runtime, studio, local(day, hour), client=day % 3)
    body = (await setup.api.get("/bookings", **{"from": "2026-11-25", "to": "2026-11-26", "limit": 3}))[1]
    assert [b["starts_at"] for b in body["data"]] == ["2026-11-25T10:00:00Z", "2026-11-25T12:00:00Z", "2026-11-26T10:00:00Z"]
    rest = (await setup.api.get("/bookings", **{"from": "2026-11-25", "to": "2026-11-26", "limit": 3,
                                                "cursor": body["next_cursor"]}))[1]
    assert [b["starts_at"] for b in rest["data"]] == ["2026-11-26T12:00:00Z"] and rest["next_cursor"] is None
    status, body, _ = await setup.api.get("/bookings", **{"from": "2026-11-26", "to": "2026-11-25"})
    assert status == 400


async def test_another_business_ids_are_404_and_never_show_its_data(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    mine = await book(runtime, studio, local(24, 7))
    theirs = await make_token(runtime, setup.other.id)
    other = type(setup.api)(web, theirs)
    assert (await other.get("/clients"))[1]["data"] == [] and (await other.get("/bookings"))[1]["data"] == []
    assert (await other.get("/services"))[1]["data"] == [] and (await other.get("/trainers"))[1]["data"] == []
    for path in (f"/clients/{studio.clients[0]}", f"/bookings/{mine.id}", f"/clients/{studio.clients[0]}/credits",
                 "/clients/99999999999999999999"):
        status, body, _ = await other.get(path)
        assert status == 404 and body["code"] == "not_found" and "Cliente" not in str(body), path
    assert (await other.get("/availability", service_id=studio.personal, **{"from": "2026-11-24"}))[0] == 404
    for path, request in ((f"/bookings/{mine.id}/move", {"starts_at": "2026-11-25T18:00:00-03:00"}),
                          (f"/bookings/{mine.id}/cancel", {}),
                          ("/bookings", {"client_id": studio.clients[0], "service_id": studio.personal, "staff_id": studio.ana,
                                         "starts_at": "2026-11-24T09:00:00-03:00"}),
                          ("/check-ins", {"client_id": studio.clients[0]}),
                          (f"/clients/{studio.clients[0]}/credits", {"credits": 5}),
                          (f"/classes/{mine.appointment_id}/seats", {"client_id": studio.clients[0]})):
        status, body, _ = await other.post(path, request)
        assert status == 404 and body["code"] == "not_found", path
    async with runtime.sessions() as session:
        row = await session.get(Booking, mine.id)
        assert row is not None and row.status == "booked"
    assert await _count(runtime, Booking) == 1 and await _count(runtime, CheckIn) == 0


async def test_classes_list_their_seats_and_a_client_takes_one(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(25, 18), now=NOW)
    status, seat, _ = await setup.api.post(f"/classes/{spin.id}/seats", {"client_id": studio.clients[0]})
    assert status == 201 and seat["kind"] == "class" and seat["appointment_id"] == spin.id
    status, problem, _ = await setup.api.post(f"/classes/{spin.id}/seats", {"client_id": studio.clients[0]})
    assert status == 409 and problem["code"] == "already_booked"
    body = (await setup.api.get("/classes", **{"from": "2026-11-25", "to": "2026-11-25"}))[1]
    assert [(c["id"], c["capacity"], c["seats_taken"]) for c in body["data"]] == [(spin.id, 5, 1)]


async def test_check_ins_are_recorded_against_the_booking_around_now(web, runtime, business, clock):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    session_booking = await book(runtime, studio, local(24, 7))
    clock.advance(hours=22, minutes=50)  # Tuesday 07:50 local, the 07:00 session under way
    status, visit, _ = await setup.api.post("/check-ins", {"client_id": studio.clients[0]})
    assert status == 201 and visit["booking_id"] == session_booking.id and visit["method"] == "staff"
    status, walk_in, _ = await setup.api.post("/check-ins", {"client_id": studio.clients[1]})
    assert status == 201 and walk_in["booking_id"] is None
    body = (await setup.api.get("/check-ins", **{"from": "2026-11-24"}))[1]
    assert [v["client_id"] for v in body["data"]] == [studio.clients[0], studio.clients[1]]
    assert (await setup.api.get("/check-ins", **{"to": "2026-11-23"}))[1]["data"] == []


async def test_credits_are_added_and_read_with_their_ledger(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    status, body, _ = await setup.api.post(f"/clients/{client}/credits", {"credits": 10, "note": "pacote"})
    assert status == 201 and body["balance"] == 10 and [e["kind"] for e in body["entries"]] == ["purchase"]
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, client, 2, NOW + timedelta(minutes=1))
    body = (await setup.api.get(f"/clients/{client}/credits"))[1]
    assert body["balance"] == 12 and len(body["entries"]) == 2
    assert (await setup.api.get("/purchases"))[1] == {"data": [], "next_cursor": None}


async def test_programs_and_workout_logs(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    async with runtime.sessions.begin() as session:
        program = Program(business_id=business.id, client_id=client, name="Força 4 semanas", weeks=4, created_at=NOW)
        session.add(program)
        workout = WorkoutSession(business_id=business.id, client_id=client, local_date=NOW.date(), started_at=NOW)
        session.add(workout)
        await session.flush()
        session.add(WorkoutLog(business_id=business.id, client_id=client, session_id=workout.id, exercise_key="squat",
                               sets=3, reps=10, load_kg=60.0, logged_at=NOW))
    body = (await setup.api.get("/programs"))[1]
    assert [(p["name"], p["client_id"]) for p in body["data"]] == [("Força 4 semanas", client)]
    body = (await setup.api.get("/workout-logs", client_id=client, **{"from": "2026-11-23"}))[1]
    assert [(w["exercise_key"], w["sets"], w["reps"], w["load_kg"]) for w in body["data"]] == [("squat", 3, 10, 60.0)]


async def test_an_unknown_path_or_method_is_a_problem_too(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, body, response = await setup.api.get("/nothing-here")
    assert status == 404 and body["code"] == "not_found" and response.content_type == "application/problem+json"
    status, body, _ = await setup.api.get("/clients/abc")
    assert status == 404
    response = await web.delete("/api/v1/clients", headers={"Authorization": f"Bearer {setup.api.token}"})
    assert response.status == 405 and (await response.json(content_type=None))["code"] == "method_not_allowed"
