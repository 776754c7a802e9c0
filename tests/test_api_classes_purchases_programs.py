"""A class with its seats and waitlist, selling a product, and a program's weeks through the API, on a real studio."""
from __future__ import annotations

from datetime import date

import pytest
import respx
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Client, OutboundMessage, Product
from domain.scheduling import booking, classes
from domain.training import program_edits
from domain.training.program_edits import Prescription
from runtime.settings import Settings
from tests.api_support import Api, make_token, open_api
from tests.booking_setup import NOW, local
from tests.conftest import PUBLIC_URL, make_settings
from tests.stripe_support import add_demo_products, mock_checkout


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _class(runtime, business, studio, capacity: int) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return (await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                             starts_at=local(25, 18), now=NOW, capacity=capacity)).id


async def _told(runtime, client_id: int) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return len((await session.execute(select(OutboundMessage).where(OutboundMessage.client_id == client_id))).all())


async def test_a_class_shows_its_seats_and_its_waitlist_in_queue_order(web, runtime, business):
    setup = await open_api(web, runtime, business, clients=4)
    studio = setup.studio
    spin = await _class(runtime, business, studio, capacity=2)
    for client in studio.clients[:2]:
        assert (await setup.api.post(f"/classes/{spin}/seats", {"client_id": client, "notify_client": False}))[0] == 201
    waiting = [(await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": c}))[1] for c in studio.clients[2:]]
    assert [(w["client_id"], w["status"], w["position"]) for w in waiting] == [
        (studio.clients[2], "waiting", 1), (studio.clients[3], "waiting", 2)]
    status, detail, _ = await setup.api.get(f"/classes/{spin}")
    assert status == 200 and (detail["capacity"], detail["seats_taken"], detail["status"]) == (2, 2, "scheduled")
    assert [(s["client_id"], s["status"]) for s in detail["seats"]] == [(c, "booked") for c in studio.clients[:2]]
    assert detail["waitlist"] == waiting == (await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]


async def test_only_a_full_class_has_a_waitlist_and_joining_twice_keeps_the_first_place(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    spin = await _class(runtime, business, studio, capacity=1)
    status, problem, _ = await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[0]})
    assert status == 409 and problem["code"] == "class_not_full"
    assert (await setup.api.post(f"/classes/{spin}/seats", {"client_id": studio.clients[0]}))[0] == 201
    status, problem, _ = await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[0]})
    assert status == 409 and problem["code"] == "already_booked"
    first = (await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[1]}))[1]
    again = (await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[1]}))[1]
    assert again == first and first["position"] == 1
    assert len((await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]) == 1


async def test_taking_a_client_off_the_waitlist_passes_their_held_seat_to_the_next_in_line(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    seated, offered, next_in_line = studio.clients
    spin = await _class(runtime, business, studio, capacity=1)
    seat = (await setup.api.post(f"/classes/{spin}/seats", {"client_id": seated, "notify_client": False}))[1]
    for client in (offered, next_in_line):
        assert (await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": client}))[0] == 201
    async with runtime.sessions.begin() as session:  # the seat freed: held for the first in line
        await booking.cancel(session, business.id, seat["id"], NOW, by="trainer")
    queue = (await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]
    assert [(w["client_id"], w["status"], w["position"]) for w in queue] == [(offered, "offered", None), (next_in_line, "waiting", 1)]
    status, body, _ = await setup.api.delete(f"/classes/{spin}/waitlist/{offered}")
    assert status == 204 and body is None
    queue = (await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]
    assert [(w["client_id"], w["status"]) for w in queue] == [(next_in_line, "offered")] and queue[0]["offer_expires_at"]
    assert await _told(runtime, next_in_line) == 1 and await _told(runtime, offered) == 0
    status, problem, _ = await setup.api.delete(f"/classes/{spin}/waitlist/{offered}")
    assert status == 404 and problem["code"] == "not_found"


async def test_a_class_seat_cancelled_through_the_api_is_offered_to_the_waitlist_in_chat(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    seated, waiting = studio.clients[:2]
    spin = await _class(runtime, business, studio, capacity=1)
    seat = (await setup.api.post(f"/classes/{spin}/seats", {"client_id": seated, "notify_client": False}))[1]
    assert (await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": waiting}))[0] == 201
    status, _, _ = await setup.api.post(f"/bookings/{seat['id']}/cancel", {"notify_client": False})
    assert status == 200 and await _told(runtime, waiting) == 1 and await _told(runtime, seated) == 0
    queue = (await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]
    assert [(w["client_id"], w["status"]) for w in queue] == [(waiting, "offered")]


async def test_another_business_class_and_waitlist_are_not_found(web, runtime, business):
    setup = await open_api(web, runtime, business)
    studio = setup.studio
    spin = await _class(runtime, business, studio, capacity=1)
    assert (await setup.api.post(f"/classes/{spin}/seats", {"client_id": studio.clients[0]}))[0] == 201
    assert (await setup.api.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[1]}))[0] == 201
    other = Api(web, await make_token(runtime, setup.other.id))
    for status, problem, _ in (await other.get(f"/classes/{spin}"), await other.get(f"/classes/{spin}/waitlist"),
                               await other.post(f"/classes/{spin}/waitlist", {"client_id": studio.clients[2]}),
                               await other.delete(f"/classes/{spin}/waitlist/{studio.clients[1]}")):
        assert status == 404 and problem["code"] == "not_found"
    personal = await booking_of(runtime, business, studio)
    assert (await setup.api.get(f"/classes/{personal}"))[0] == 404  # a personal session is no class
    assert len((await setup.api.get(f"/classes/{spin}/waitlist"))[1]["data"]) == 1


async def booking_of(runtime, business, studio) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        made = await booking.book_personal(session, business.id, client_id=studio.clients[0], service_id=studio.personal,
                                           staff_id=studio.ana, starts_at=local(24, 7), now=NOW)
        return made.appointment_id


async def _products(runtime, business) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return {k: p.id for k, p in (await add_demo_products(session, business.id, NOW)).items()}


async def test_a_purchase_paid_at_the_desk_gives_its_credits_at_once(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    sold = await _products(runtime, business)
    status, purchase, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"], "paid_with": "cash",
                                                              "note": "recepção"}, headers={"Idempotency-Key": "sale-1"})
    assert status == 201
    assert (purchase["status"], purchase["method"], purchase["amount_cents"], purchase["currency"], purchase["payment_url"]) == (
        "paid", "cash", 45000, "BRL", None)
    assert purchase["paid_at"] == "2026-11-23T12:00:00Z"
    again = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"], "paid_with": "cash",
                                                "note": "recepção"}, headers={"Idempotency-Key": "sale-1"})
    assert again[1] == purchase  # a retry sells it once
    assert (await setup.api.get(f"/clients/{client}/credits"))[1]["balance"] == 10
    assert (await setup.api.get("/purchases"))[1]["data"] == [purchase]


@respx.mock(assert_all_called=False)
async def test_a_payment_link_is_the_chats_checkout_and_stays_pending_until_paid(respx_mock, web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    sold = await _products(runtime, business)
    status, purchase, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["plan"]})
    assert status == 201 and (purchase["status"], purchase["method"], purchase["paid_at"]) == ("pending", None, None)
    assert purchase["payment_url"].startswith(f"{PUBLIC_URL}/pay/")
    mock_checkout(respx_mock)
    response = await web.get(purchase["payment_url"].removeprefix(PUBLIC_URL), allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "https://checkout.stripe.com/c/pay/cs_test_1"
    assert (await setup.api.get(f"/clients/{client}/credits"))[1]["balance"] == 0
    assert (await setup.api.get("/purchases", client_id=client))[1]["data"] == [purchase]


async def test_a_payment_link_goes_to_a_client_in_the_chat_inside_the_24_hour_window_only(web, runtime, business):
    setup = await open_api(web, runtime, business)
    wrote_today, silent = setup.studio.clients[0], setup.studio.clients[1]
    async with runtime.sessions.begin() as session:
        (await session.get(Client, wrote_today)).last_inbound_at = NOW
    sold = await _products(runtime, business)
    status, purchase, _ = await setup.api.post("/purchases", {"client_id": wrote_today, "product_id": sold["pack"],
                                                              "notify_client": True})
    assert status == 201 and purchase["link_sent_to"] == "whatsapp"
    async with runtime.sessions() as session:
        [sent] = (await session.scalars(select(OutboundMessage).where(OutboundMessage.client_id == wrote_today))).all()
    assert sent.kind == "text" and purchase["payment_url"] in sent.payload["body"]
    assert "R$ 450,00" in sent.payload["body"]

    # No approved template carries a link: outside the window (and with no email to send it to, or email off here)
    # nothing is queued, and the answer says so.
    status, purchase, _ = await setup.api.post("/purchases", {"client_id": silent, "product_id": sold["pack"],
                                                              "notify_client": True})
    assert status == 201 and purchase["link_sent_to"] is None and purchase["payment_url"]
    assert await _told(runtime, silent) == 0
    status, problem, _ = await setup.api.post("/purchases", {"client_id": silent, "product_id": sold["pack"],
                                                             "paid_with": "cash", "notify_client": True})
    assert status == 400 and problem["errors"][0]["type"] == "value_error"


async def test_a_sale_is_refused_for_what_cannot_be_sold(web, runtime, business):
    setup = await open_api(web, runtime, business)
    client = setup.studio.clients[0]
    sold = await _products(runtime, business)
    async with runtime.sessions.begin() as session:
        (await session.get(Product, sold["drop_in"])).active = False
    status, problem, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["drop_in"], "paid_with": "cash"})
    assert status == 409 and problem["code"] == "payment_error"
    status, problem, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"], "note": "x"})
    assert status == 400 and problem["errors"][0]["type"] == "value_error"
    status, problem, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"], "paid_with": "gold"})
    assert status == 400 and problem["errors"][0]["field"] == "paid_with"
    other = Api(web, await make_token(runtime, setup.other.id))
    assert (await other.post("/purchases", {"client_id": client, "product_id": sold["pack"], "paid_with": "cash"}))[0] == 404
    assert (await setup.api.get("/purchases"))[1]["data"] == []


class TestWithoutOnlinePayments:
    @pytest.fixture
    def settings(self, database: str) -> Settings:
        return make_settings(STRIPE_SECRET_KEY="", STRIPE_WEBHOOK_SECRET="")

    async def test_no_payment_link_is_made_but_desk_payments_are_recorded(self, web, runtime, business):
        setup = await open_api(web, runtime, business)
        client = setup.studio.clients[0]
        sold = await _products(runtime, business)
        status, problem, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"]})
        assert status == 409 and problem["code"] == "payments_off"
        status, purchase, _ = await setup.api.post("/purchases", {"client_id": client, "product_id": sold["pack"],
                                                                  "paid_with": "pix_manual"})
        assert status == 201 and purchase["status"] == "paid" and purchase["method"] == "pix_manual"


async def test_a_program_shows_every_week_with_its_days_and_exercises_in_order(web, runtime, business):
    setup = await open_api(web, runtime, business)
    async with runtime.sessions.begin() as session:
        template = await program_edits.create_program(session, business.id, NOW, name="Força 2 semanas", weeks=2, notes="Base")
        monday = await program_edits.add_day(session, business.id, template.id, week=1, weekday=0, title="Pernas")
        await program_edits.add_day(session, business.id, template.id, week=1, weekday=3)
        await program_edits.add_item(session, business.id, template.id, monday.id,
                                     Prescription("back_squat", sets=4, reps=8, load_kg=60.0, rest_s=120, progression_kg=2.5))
        await program_edits.add_item(session, business.id, template.id, monday.id,
                                     Prescription("bench_press", sets=3, reps=10, load_pct_1rm=70, superset="A"))
        copy = await program_edits.assign_program(session, business.id, template.id, setup.studio.clients[0], date(2026, 11, 23), NOW)
    status, body, _ = await setup.api.get(f"/programs/{template.id}")
    assert status == 200 and (body["name"], body["notes"], body["client_id"], body["active"]) == ("Força 2 semanas", "Base", None, True)
    assert [w["week"] for w in body["weeks"]] == [1, 2] and body["weeks"][1]["days"] == []
    days = body["weeks"][0]["days"]
    assert [(d["weekday"], d["title"], len(d["exercises"])) for d in days] == [(0, "Pernas", 2), (3, None, 0)]
    squat, bench = days[0]["exercises"]
    assert (squat["exercise_key"], squat["exercise_name"], squat["sets"], squat["reps"], squat["load_kg"], squat["rest_s"],
            squat["progression_kg"]) == ("back_squat", "Agachamento livre", 4, 8, 60.0, 120, 2.5)
    assert (bench["exercise_key"], bench["load_pct_1rm"], bench["superset"]) == ("bench_press", 70, "A")
    mine = (await setup.api.get(f"/programs/{copy.id}"))[1]
    assert (mine["client_id"], mine["template_id"], mine["starts_on"]) == (setup.studio.clients[0], template.id, "2026-11-23")
    assert [len(d["exercises"]) for d in mine["weeks"][0]["days"]] == [2, 0]
    other = Api(web, await make_token(runtime, setup.other.id))
    status, problem, _ = await other.get(f"/programs/{template.id}")
    assert status == 404 and "Força" not in str(problem)
