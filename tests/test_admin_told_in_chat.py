"""The panel says a client was told in chat only when the message can reach them: they wrote in the last 24 hours,
or the approved template it needs is set up; otherwise it says who could not be told and why."""
from __future__ import annotations

import html

import pytest

from domain.clock import FixedClock
from domain.messaging import message_templates
from domain.models import Client
from domain.scheduling import classes
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import Panel, book, open_panel

NOT_TOLD = ("Cliente 0 could not be told in chat: they have not written in 24 hours and the template team_booked (pt_BR) "
            "is not set up (Settings → Templates).")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def list_template(runtime, business_id: int, name: str) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        await message_templates.save_template(session, business_id, NOW, name=name, language="pt_BR", purpose="generic",
                                              variables=[])


async def wrote_today(runtime, client_id: int) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        (await session.get(Client, client_id)).last_inbound_at = NOW


async def flashes_after(panel: Panel, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status == 303, await response.text()
    return html.unescape(await (await panel.web.get(response.headers["Location"])).text())


async def book_from_the_calendar(panel: Panel, client: int, at: str):  # type: ignore[no-untyped-def]
    return await panel.post("/admin/calendar/appointments", client_id=panel.studio.clients[client],
                            service_id=panel.studio.personal, staff_id=panel.studio.ana, day="2026-11-24", at=at,
                            trainer="all")


async def test_booking_a_client_out_of_the_window_with_no_template_says_they_were_not_told(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    page = await flashes_after(panel, await book_from_the_calendar(panel, 0, "07:00"))
    assert "Booked Cliente 0 for Treino personal" in page
    assert NOT_TOLD in page and "They were told in chat." not in page
    assert 'class="flash flash-warn"' in page


async def test_booking_a_client_who_wrote_today_says_they_were_told(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await wrote_today(runtime, panel.studio.clients[0])
    page = await flashes_after(panel, await book_from_the_calendar(panel, 0, "07:00"))
    assert "with Ana. They were told in chat." in page and "could not be told" not in page


async def test_booking_a_client_out_of_the_window_says_told_once_the_template_is_set_up(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await list_template(runtime, business.id, "team_booked")
    page = await flashes_after(panel, await book_from_the_calendar(panel, 0, "07:00"))
    assert "They were told in chat." in page and "could not be told" not in page


async def test_moving_a_session_names_the_missing_template(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    made = await book(runtime, panel.studio, local(24, 7))
    page = await flashes_after(panel, await panel.post(f"/admin/calendar/bookings/{made.id}/move", day="2026-11-25",
                                                       at="10:00"))
    assert "Cliente 0 could not be told in chat" in page and "the template team_moved (pt_BR) is not set up" in page
    assert "The client was told in chat." not in page

    await wrote_today(runtime, panel.studio.clients[0])
    page = await flashes_after(panel, await panel.post(f"/admin/calendar/bookings/{made.id}/move", day="2026-11-26",
                                                       at="10:00"))
    assert "The client was told in chat." in page and "could not be told" not in page


async def test_cancelling_a_class_counts_who_was_told_and_who_could_not_be(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    async with runtime.sessions.begin() as session:
        made = await classes.schedule_class(session, business.id, service_id=panel.studio.spinning,
                                            staff_id=panel.studio.bruno, starts_at=local(25, 18), now=NOW, capacity=5)
        for client in panel.studio.clients:
            await classes.book_seat(session, business.id, client_id=client, appointment_id=made.id, now=NOW)
    await wrote_today(runtime, panel.studio.clients[0])
    page = await flashes_after(panel, await panel.post(f"/admin/classes/{made.id}/cancel", reason="instructor ill"))
    assert "Class cancelled; 1 client told in chat." in page
    assert ("2 clients could not be told in chat: they have not written in 24 hours and the template class_cancelled "
            "(pt_BR) is not set up (Settings → Templates).") in page


async def test_time_off_over_a_session_says_the_client_could_not_be_told(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await book(runtime, panel.studio, local(25, 10))
    response = await panel.post(f"/admin/settings/hours/{panel.studio.ana}/time-off", starts="2026-11-25T08:00",
                                ends="2026-11-25T12:00", reason="", hits="cancel")
    assert response.status == 302
    page = html.unescape(await (await web.get(response.headers["Location"])).text())
    assert "sessions cancelled: 1, clients told in chat: 0" in page
    assert "Cliente 0 could not be told in chat" in page and "the template team_cancelled (pt_BR) is not set up" in page
