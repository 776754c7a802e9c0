"""The classes page: upcoming sessions with seats, scheduling one, its roster and waitlist, cancelling it."""
from __future__ import annotations

import html

import pytest
from dramatiq import Message
from sqlalchemy import func, select

from domain.clock import FixedClock
from domain.messaging import message_templates
from domain.models import Appointment, Client
from domain.scheduling import catalog, classes, credits
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import open_panel, other_business, outbox


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def spinning(runtime, studio, *, capacity=2):  # type: ignore[no-untyped-def]
    """A Spinning class with two seats taken and, when that is all of them, one client waiting."""
    async with runtime.sessions.begin() as session:
        made = await classes.schedule_class(session, studio.business.id, service_id=studio.spinning,
                                            staff_id=studio.bruno, starts_at=local(25, 18), now=NOW, capacity=capacity)
        for client in studio.clients[:2]:
            await classes.book_seat(session, studio.business.id, client_id=client, appointment_id=made.id, now=NOW)
        if capacity == 2:
            await classes.join_waitlist(session, studio.business.id, client_id=studio.clients[2], appointment_id=made.id, now=NOW)
    return made


async def approved(runtime, business_id: int, name: str) -> None:  # type: ignore[no-untyped-def]
    """The business lists the approved template `name` in pt_BR."""
    async with runtime.sessions.begin() as session:
        await message_templates.save_template(session, business_id, NOW, name=name, language="pt_BR", purpose="generic",
                                              variables=[])


async def count_classes(runtime) -> int:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Appointment).where(Appointment.kind == "class")))


async def test_anonymous_visitor_cannot_see_or_schedule_classes(web, runtime, business):
    assert (await web.get("/admin/classes", allow_redirects=False)).status == 302
    assert (await web.post("/admin/classes", data={}, allow_redirects=False)).status == 403


async def test_owner_sees_upcoming_classes_with_seats_and_the_roster(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await spinning(runtime, panel.studio)
    status, page = await panel.page("/admin/classes")
    assert status == 200 and "Wed 25/11 18:00" in page and "2/2" in page and "full" in page
    status, page = await panel.page(f"/admin/classes/{made.id}")
    assert status == 200 and "Cliente 0" in page and "Cliente 1" in page
    assert '<ol id="class-waitlist"><li>Cliente 2</li></ol>' in page


async def test_owner_schedules_a_class(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                day="2026-11-26", at="18:00", capacity="8")
    assert response.status == 303
    page = html.unescape(await (await web.get(response.headers["Location"])).text())
    assert "Scheduled for Thu 26/11 at 18:00, 8 seats." in page and "0/8" in page


async def test_scheduling_with_bad_input_saves_nothing(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                day="2026-11-26", at="18:00", capacity="0")
    assert response.status == 400 and "Capacity is a whole number from 1 to 500" in await response.text()
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.ana,
                                day="2026-11-26", at="18:00", capacity="")
    assert response.status == 400 and "That trainer does not teach this class." in await response.text()
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                day="2026-11-26", at="23:00", capacity="")
    assert response.status == 400 and "The trainer does not work at that time" in await response.text()
    assert await count_classes(runtime) == 0


async def test_trainer_sees_and_schedules_only_their_own_classes(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")  # Ana; Spinning is Bruno's
    made = await spinning(runtime, panel.studio)
    _, page = await panel.page("/admin/classes")
    assert "No classes scheduled." in page
    assert (await panel.page(f"/admin/classes/{made.id}"))[0] == 404
    assert (await panel.post(f"/admin/classes/{made.id}/cancel")).status == 404
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                day="2026-11-26", at="18:00")
    assert response.status == 400 and "That trainer does not teach this class." in await response.text()
    assert await count_classes(runtime) == 1


async def test_other_business_class_is_not_found(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    elsewhere = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        stranger = await catalog.add_staff(session, elsewhere.id, "Stranger", NOW)
    made = await spinning(runtime, panel.studio)
    assert (await panel.page(f"/admin/classes/{made.id + 1000}"))[0] == 404
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=stranger.id,
                                day="2026-11-26", at="18:00")
    assert response.status == 404


async def test_cancelling_a_class_refunds_and_tells_everyone_in_chat(web, runtime, business, broker):
    panel = await open_panel(web, runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        for client in panel.studio.clients:
            await credits.add_pack(session, business.id, client, 1, NOW)
    made = await spinning(runtime, panel.studio)
    await approved(runtime, business.id, "class_cancelled")  # so it reaches those who have not written in 24 hours
    assert 'data-confirm="Cancel this class?' in (await panel.page(f"/admin/classes/{made.id}"))[1]  # asked first
    response = await panel.post(f"/admin/classes/{made.id}/cancel", reason="instructor ill")
    assert response.status == 303
    page = await (await web.get(response.headers["Location"])).text()
    assert "Class cancelled; 3 clients told in chat." in page and "No classes scheduled." in page
    sent = await outbox(runtime)
    assert sorted(m.client_id for m in sent) == sorted(panel.studio.clients)
    assert {m.payload["name"] for m in sent} == {"class_cancelled"}
    async with runtime.sessions() as session:
        assert [await credits.balance(session, business.id, c) for c in panel.studio.clients] == [1, 1, 1]
    [wake_up] = [Message.decode(m) for m in broker.queues["outbound"].queue]  # one delivery wake-up for all three
    assert sorted(wake_up.args[0]) == sorted(panel.studio.clients)


async def test_the_reason_for_cancelling_a_class_reaches_those_inside_the_24_hour_window(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await spinning(runtime, panel.studio)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, panel.studio.clients[0])).last_inbound_at = NOW  # wrote today: plain text reaches them
    assert (await panel.post(f"/admin/classes/{made.id}/cancel", reason="professor doente")).status == 303
    by_client = {m.client_id: m for m in await outbox(runtime)}
    assert "foi cancelada pelo estúdio. Motivo: professor doente." in by_client[panel.studio.clients[0]].body
    template = by_client[panel.studio.clients[1]].payload  # the approved template has no variable for it
    assert template["name"] == "class_cancelled" and len(template["parameters"]) == 2


async def test_owner_gives_a_client_a_seat_who_is_told_in_chat(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await spinning(runtime, panel.studio, capacity=3)
    await approved(runtime, business.id, "team_booked")
    response = await panel.post(f"/admin/classes/{made.id}/seats", client_id=panel.studio.clients[2])
    assert response.status == 303
    page = await (await web.get(response.headers["Location"])).text()
    assert "Cliente 2 has a seat and was told in chat." in page and "3/3" in page
    assert (await outbox(runtime))[-1].payload["name"] == "team_booked"


async def test_a_seat_in_a_full_class_is_refused_in_words(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await spinning(runtime, panel.studio)
    response = await panel.post(f"/admin/classes/{made.id}/seats", client_id=panel.studio.clients[2])
    assert response.status == 400 and "That class is full." in await response.text()
    response = await panel.post(f"/admin/classes/{made.id}/seats", client_id="")
    assert response.status == 400 and "Pick a client." in await response.text()


async def test_a_full_class_offers_its_waitlist(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await spinning(runtime, panel.studio)
    page = (await panel.page(f"/admin/classes/{made.id}"))[1]
    assert "The class is full: add a client to the waitlist" in page and f"/admin/classes/{made.id}/waitlist" in page
    response = await panel.post(f"/admin/classes/{made.id}/waitlist", client_id=panel.studio.clients[2])
    assert response.status == 303
    page = await (await web.get(response.headers["Location"])).text()
    assert "Cliente 2 is on the waitlist, number 1." in page and "1 waiting" in page
    again = await panel.post(f"/admin/classes/{made.id}/waitlist", client_id=panel.studio.clients[0])  # has a seat
    assert again.status == 400
    assert await outbox(runtime) == []


def trainer_options(page: str) -> str:
    """The scheduling form's trainer list alone."""
    form = page[page.index('id="schedule-class"'):]
    return form[form.index('name="staff_id"'):form.index("</select>", form.index('name="staff_id"'))]


async def test_class_page_offers_only_trainers_of_its_service(web, runtime, business):
    panel = await open_panel(web, runtime, business)  # Spinning is Bruno's; Yoga has no trainer linked yet
    async with runtime.sessions.begin() as session:
        yoga = await catalog.add_service(session, business.id, "Yoga", NOW, duration_min=60, capacity=10, trainer_ids=[])
    ana, bruno = f'<option value="{panel.studio.ana}"', f'<option value="{panel.studio.bruno}"'
    _, page = await panel.page(f"/admin/classes?service_id={panel.studio.spinning}")
    assert bruno in trainer_options(page) and ana not in trainer_options(page)
    assert f'<input type="hidden" name="service_id" value="{panel.studio.spinning}">' in page
    _, page = await panel.page(f"/admin/classes?service_id={yoga.id}")
    assert bruno in trainer_options(page) and ana in trainer_options(page)


async def test_a_trainer_who_does_not_teach_the_class_is_refused_with_the_form_error(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/classes", service_id=panel.studio.spinning, staff_id=panel.studio.ana,
                                day="2026-11-26", at="18:00")
    assert response.status == 400
    page = await response.text()
    assert '<span class="error">That trainer does not teach this class.</span>' in page
    assert f'<option value="{panel.studio.ana}"' not in trainer_options(page)  # the form offers Bruno again
    assert await count_classes(runtime) == 0
