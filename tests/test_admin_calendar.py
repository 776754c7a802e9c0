"""The calendar page: the week per trainer or business, booking a client, moving, cancelling, marking."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Appointment, Booking, Client
from domain.scheduling import catalog, credits
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import book, count_bookings, open_panel, other_business, outbox, week_html


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def test_anonymous_visitor_cannot_see_or_change_the_calendar(web, runtime, business):
    response = await web.get("/admin/calendar", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/admin/login")
    response = await web.post("/admin/calendar/appointments", data={}, allow_redirects=False)
    assert response.status == 403


async def test_owner_sees_the_whole_business_week(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await book(runtime, panel.studio, local(24, 7))
    await book(runtime, panel.studio, local(25, 15), client=1, trainer=panel.studio.bruno)
    status, page = await panel.page("/admin/calendar?week=2026-11-25&trainer=all")
    assert status == 200
    assert "week of 23/11/2026" in page and "Cliente 0" in page and "Cliente 1" in page
    assert "07:00–08:00" in page and "15:00–16:00" in page


async def test_owner_filters_the_week_by_trainer(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await book(runtime, panel.studio, local(24, 7))
    await book(runtime, panel.studio, local(25, 15), client=1, trainer=panel.studio.bruno)
    _, page = await panel.page(f"/admin/calendar?week=2026-11-23&trainer={panel.studio.bruno}")
    assert "Cliente 1" in week_html(page) and "Cliente 0" not in week_html(page)


async def test_trainer_cannot_see_other_trainers_calendar(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    await book(runtime, panel.studio, local(24, 7))
    theirs = await book(runtime, panel.studio, local(25, 15), client=1, trainer=panel.studio.bruno)
    _, page = await panel.page(f"/admin/calendar?week=2026-11-23&trainer={panel.studio.bruno}")
    assert "Cliente 0" in week_html(page) and "Cliente 1" not in week_html(page)
    status, _ = await panel.page(f"/admin/calendar/bookings/{theirs.id}")
    assert status == 404


async def test_other_business_ids_are_not_found(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    elsewhere = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        stranger = await catalog.add_staff(session, elsewhere.id, "Stranger", NOW)
    assert (await panel.page(f"/admin/calendar?trainer={stranger.id}"))[0] == 404
    assert (await panel.page("/admin/calendar/bookings/999999"))[0] == 404
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[0],
                                service_id=panel.studio.personal, staff_id=stranger.id, day="2026-11-24", at="07:00")
    assert response.status == 404 and await count_bookings(runtime) == 0


async def test_owner_books_a_client_who_is_told_in_chat(web, runtime, business, broker):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[0],
                                service_id=panel.studio.personal, staff_id=panel.studio.ana, day="2026-11-24",
                                at="07:00", trainer="all")
    assert response.status == 303 and response.headers["Location"] == "/admin/calendar?week=2026-11-24&trainer=all"
    page = await (await web.get(response.headers["Location"])).text()
    assert "Booked Cliente 0 for Treino personal on Tue 24/11 at 07:00 with Ana." in html.unescape(page)
    assert "07:00–08:00" in page
    sent = await outbox(runtime)
    assert [m.kind for m in sent] == ["template"]  # the client has not written in 24 h
    assert sent[0].payload["parameters"] == ["Treino personal", "ter 24/11 às 07:00", "Ana"]
    assert broker.queues["outbound"].qsize() == 1


async def test_calendar_create_refuses_double_booking_with_words(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await book(runtime, panel.studio, local(24, 7))
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[1],
                                service_id=panel.studio.personal, staff_id=panel.studio.ana, day="2026-11-24", at="07:30")
    assert response.status == 400
    assert "Double booking: the trainer already has a session at that time" in await response.text()
    assert await count_bookings(runtime) == 1 and await outbox(runtime) == []


async def test_calendar_create_with_a_missing_time_saves_nothing(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[1],
                                service_id=panel.studio.personal, staff_id=panel.studio.ana, day="2026-11-24", at="")
    assert response.status == 400
    assert "Give the start time (for example 07:30)." in await response.text()
    assert await count_bookings(runtime) == 0


async def test_trainer_books_only_into_their_own_calendar(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    await book(runtime, panel.studio, local(19, 7, month=12))  # Cliente 0 becomes Ana's client
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[0],
                                service_id=panel.studio.personal, staff_id=panel.studio.bruno, day="2026-11-24", at="07:00")
    assert response.status == 303
    async with runtime.sessions() as session:
        staff = (await session.execute(select(Appointment.staff_id).order_by(Appointment.id))).scalars().all()
    assert staff == [panel.studio.ana, panel.studio.ana]
    response = await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[2],
                                service_id=panel.studio.personal, day="2026-11-24", at="15:00")
    assert response.status == 404  # not one of Ana's clients


async def test_panel_move_is_atomic_and_tells_the_client(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await book(runtime, panel.studio, local(24, 7))
    await book(runtime, panel.studio, local(24, 9), client=1)
    refused = await panel.post(f"/admin/calendar/bookings/{made.id}/move", day="2026-11-24", at="09:30")
    assert refused.status == 400 and "Double booking" in await refused.text()
    moved = await panel.post(f"/admin/calendar/bookings/{made.id}/move", day="2026-11-25", at="10:00")
    assert moved.status == 303
    async with runtime.sessions() as session:
        appointment = await session.get(Appointment, made.appointment_id)
    assert appointment.starts_at == local(25, 10)
    assert (await outbox(runtime))[0].payload["parameters"] == ["Treino personal", "ter 24/11 às 07:00", "qua 25/11 às 10:00"]


async def test_panel_cancel_notifies_client_in_chat(web, runtime, business):
    panel = await open_panel(web, runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, panel.studio.clients[0], 2, NOW)
        client = await session.get(Client, panel.studio.clients[0])
        client.last_inbound_at = NOW
    made = await book(runtime, panel.studio, local(23, 15))  # today 15:00: inside the 12 h late-cancel window
    status, page = await panel.page(f"/admin/calendar/bookings/{made.id}")
    assert status == 200 and "their credit is <strong>forfeited</strong>" in page
    response = await panel.post(f"/admin/calendar/bookings/{made.id}/cancel", who="client", reason="")
    assert response.status == 303
    page = await (await web.get(response.headers["Location"])).text()
    assert "Cancelled. The credit was forfeited (late cancel)." in page
    sent = await outbox(runtime)
    assert sent[-1].kind == "text"
    assert sent[-1].body == ("❌ Seu *Treino personal* de seg 23/11 às 15:00 foi cancelado. Como foi em cima da hora, "
                             "o crédito não é devolvido. Quando quiser remarcar, é só chamar.")
    async with runtime.sessions() as session:
        assert await credits.balance(session, business.id, panel.studio.clients[0]) == 1


async def test_studio_cancel_refunds_the_credit(web, runtime, business):
    panel = await open_panel(web, runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, panel.studio.clients[0], 1, NOW)
    made = await book(runtime, panel.studio, local(23, 15))
    response = await panel.post(f"/admin/calendar/bookings/{made.id}/cancel", who="studio", reason="trainer ill")
    assert response.status == 303
    async with runtime.sessions() as session:
        assert await credits.balance(session, business.id, panel.studio.clients[0]) == 1
        assert (await session.get(Booking, made.id)).cancelled_by == "trainer"


async def test_no_show_only_once_the_session_started(web, runtime, business, clock):
    panel = await open_panel(web, runtime, business)
    made = await book(runtime, panel.studio, local(23, 15))
    early = await panel.post(f"/admin/calendar/bookings/{made.id}/mark", status="no_show")
    assert early.status == 400 and "The session has not started yet." in await early.text()
    bad = await panel.post(f"/admin/calendar/bookings/{made.id}/mark", status="vanished")
    assert bad.status == 400 and "Pick completed or no-show." in await bad.text()
    clock.advance(hours=7)
    marked = await panel.post(f"/admin/calendar/bookings/{made.id}/mark", status="no_show")
    assert marked.status == 303
    async with runtime.sessions() as session:
        assert (await session.get(Booking, made.id)).status == "no_show"
    assert (await outbox(runtime))[-1].payload["name"] == "team_marked"


async def test_booking_form_lists_a_trainers_own_clients_only(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    await book(runtime, panel.studio, local(24, 7), client=1)
    status, page = await panel.page("/admin/calendar/new?day=2026-11-26")
    assert status == 200 and 'value="2026-11-26"' in page
    assert "Cliente 1" in page and "Cliente 0" not in page and 'name="staff_id"' not in page


async def test_owner_booking_form_offers_every_client_and_trainer(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    status, page = await panel.page(f"/admin/calendar/new?trainer={panel.studio.bruno}")
    assert status == 200 and all(f"Cliente {n}" in page for n in range(3))
    assert f'<option value="{panel.studio.bruno}" selected>Bruno</option>' in page


async def test_booking_form_finds_a_client_among_many(web, runtime, business, monkeypatch):
    from admin.read_models import panel_choices

    monkeypatch.setattr(panel_choices, "CLIENT_CHOICES", 2)
    panel = await open_panel(web, runtime, business)
    _, page = await panel.page("/admin/calendar/new")
    assert sum(f"Cliente {n}" in page for n in range(3)) == 2 and 'name="client_q"' in page
    _, found = await panel.page("/admin/calendar/new?client_q=cliente+0")
    assert "Cliente 0" in found and "Cliente 1" not in found
    client_id = panel.studio.clients[2]
    _, chosen = await panel.page(f"/admin/calendar/new?client_q=nobody&client_id={client_id}")
    assert f'<option value="{client_id}" selected>' in chosen
