"""The dashboard: this week's figures and the twelve-week charts, the business's or a trainer's own."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from domain.clock import FixedClock
from domain.scheduling import booking, checkins
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import book, open_panel


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def figure(page: str, name: str) -> str:
    found = re.search(rf'id="fig-{name}">([^<]*)<', page)
    assert found, name
    return found.group(1)


async def week_with_a_no_show(runtime, studio):  # type: ignore[no-untyped-def]
    earlier = NOW - timedelta(days=7)
    missed = await book(runtime, studio, local(23, 6), now=earlier)
    await book(runtime, studio, local(23, 8), client=1, now=earlier)
    await book(runtime, studio, local(23, 8), client=2, trainer=studio.bruno, now=earlier)
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, studio.business.id, missed.id, "no_show", NOW)
        await checkins.check_in(session, studio.business.id, studio.clients[1], NOW - timedelta(hours=1), method="chat")


async def test_anonymous_visitor_is_sent_to_login(web, runtime, business):
    response = await web.get("/admin/dashboard", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/admin/login")


async def test_owner_sees_the_business_figures_and_charts(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    await week_with_a_no_show(runtime, panel.studio)
    status, page = await panel.page("/admin/dashboard")
    assert status == 200
    assert (figure(page, "today"), figure(page, "no-shows"), figure(page, "checkins")) == ("3", "1", "1")
    assert figure(page, "new-clients") == "3" and figure(page, "messages") == "0 / 0"
    assert "<title>23/11 · Bookings: 3</title>" in page
    assert "<title>23/11 · No-show rate: 33%</title>" in page
    assert "Week of 23/11/2026 (Monday to Sunday, America/Sao_Paulo)" in page


async def test_trainer_sees_only_their_own_figures(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    await week_with_a_no_show(runtime, panel.studio)
    _, page = await panel.page("/admin/dashboard")
    assert (figure(page, "today"), figure(page, "no-shows"), figure(page, "new-clients")) == ("2", "1", "2")
    assert "Your sessions and your clients only." in page
    assert "Bruno" not in page
