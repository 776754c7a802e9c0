"""Settings → Weekly hours and time off: the owner edits any trainer's; a trainer only looks at their own."""
from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Booking, Business, OutboundMessage, TimeOff
from domain.scheduling import catalog, weekly_hours
from runtime.resources import Runtime
from tests.booking_setup import local, make_studio
from tests.client_admin_setup import book, visible_text
from tests.settings_support import NOW, as_owner, as_trainer, fresh, other_business, post

WEEK = {"day0": "06:00-12:00, 14:00-21:00", "day1": "7h-11h", "day2": "", "day3": "06:30-10:00", "day4": "",
        "day5": "08:00-12:00", "day6": ""}


@pytest.fixture
def clock() -> FixedClock:
    """Monday 23 November 2026, 09:00 in São Paulo: the dates below stay in the future."""
    return FixedClock(NOW)


async def blocks(runtime: Runtime, business_id: int, staff_id: int) -> list[weekly_hours.Block]:
    async with runtime.sessions() as session:
        return await weekly_hours.weekly_blocks(session, business_id, staff_id)


async def test_owner_sets_weekly_hours_with_several_blocks_a_day(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/settings/hours/{studio.ana}", token, **WEEK)
    assert response.status == 302
    assert await blocks(runtime, business.id, studio.ana) == [
        weekly_hours.Block(0, time(6), time(12)), weekly_hours.Block(0, time(14), time(21)),
        weekly_hours.Block(1, time(7), time(11)), weekly_hours.Block(3, time(6, 30), time(10)),
        weekly_hours.Block(5, time(8), time(12)),
    ]
    page = await (await web.get(f"/admin/settings/hours/{studio.ana}")).text()
    assert "Weekly hours saved." in page and 'value="06:00-12:00, 14:00-21:00"' in page


async def test_weekly_hours_overlap_is_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    before = await blocks(runtime, business.id, studio.ana)
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/settings/hours/{studio.ana}", token, **{**WEEK, "day2": "08:00-12:00, 11:00-13:00"})
    page = await response.text()
    assert response.status == 400
    assert "Wednesday: 08:00–12:00 and 11:00–13:00 overlap" in page and "Nothing was saved" in page
    assert 'value="08:00-12:00, 11:00-13:00"' in page  # what was typed stays in the box
    assert await blocks(runtime, business.id, studio.ana) == before


async def test_hours_ending_before_they_start_or_unreadable_are_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    before = await blocks(runtime, business.id, studio.ana)
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/settings/hours/{studio.ana}", token, **{**WEEK, "day1": "18:00-09:00"})
    assert response.status == 400 and "Tuesday: 18:00–09:00 ends before it starts" in await response.text()
    response = await post(web, f"/admin/settings/hours/{studio.ana}", token, **{**WEEK, "day4": "all morning"})
    assert response.status == 400 and "Friday: could not read" in await response.text()
    assert await blocks(runtime, business.id, studio.ana) == before


async def test_owner_adds_and_removes_time_off_in_local_time(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/settings/hours/{studio.bruno}/time-off", token,
                          starts="2026-12-24T12:00", ends="2026-12-26T08:00", reason="Natal")
    assert response.status == 302
    async with runtime.sessions() as session:
        [off] = await weekly_hours.upcoming_time_off(session, business.id, studio.bruno, NOW)
    # São Paulo is UTC-3 in December.
    assert (off.starts_at, off.ends_at, off.reason) == (datetime(2026, 12, 24, 15, tzinfo=UTC),
                                                        datetime(2026, 12, 26, 11, tzinfo=UTC), "Natal")
    page = await (await web.get(f"/admin/settings/hours/{studio.bruno}")).text()
    assert "Thu, 24/12/2026 12:00" in page and "Natal" in page
    assert (await post(web, f"/admin/settings/time-off/{off.id}/delete", token)).status == 302
    assert await fresh(runtime, TimeOff, off.id) is None


async def test_time_off_over_booked_sessions_lists_them_and_cancels_them_only_when_asked(web: TestClient, runtime: Runtime,
                                                                                       business: Business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    booking_id = await book(runtime, studio, studio.clients[0], studio.ana, local(25, 10))
    token = await as_owner(web, runtime, business)
    off = {"starts": "2026-11-25T08:00", "ends": "2026-11-25T12:00", "reason": "consulta médica"}
    response = await post(web, f"/admin/settings/hours/{studio.ana}/time-off", token, **off)
    page = visible_text(await response.text())
    assert response.status == 409 and "That time off falls on 1 booked session:" in page
    assert "Wed 25/11 10:00 · Treino personal — Cliente 0" in page
    async with runtime.sessions() as session:
        assert await weekly_hours.upcoming_time_off(session, business.id, studio.ana, NOW) == []
        assert (await session.get(Booking, booking_id)).status == "booked"  # nothing changed yet
    response = await post(web, f"/admin/settings/hours/{studio.ana}/time-off", token, **off, hits="cancel")
    assert response.status == 302
    async with runtime.sessions() as session:
        assert len(await weekly_hours.upcoming_time_off(session, business.id, studio.ana, NOW)) == 1
        assert (await session.get(Booking, booking_id)).status == "cancelled"
        told = (await session.scalars(select(OutboundMessage).where(OutboundMessage.client_id == studio.clients[0]))).all()
    assert [m.payload["name"] for m in told] == ["team_cancelled"]


async def test_time_off_ending_before_it_starts_is_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    response = await post(web, f"/admin/settings/hours/{studio.bruno}/time-off", token,
                          starts="2026-12-24T12:00", ends="2026-12-24T09:00")
    assert response.status == 400 and "The end must be after the start." in await response.text()
    async with runtime.sessions() as session:
        assert await weekly_hours.upcoming_time_off(session, business.id, studio.bruno, NOW) == []


async def test_trainer_sees_own_hours_but_cannot_edit_or_see_others(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token, me = await as_trainer(web, runtime, business)
    async with runtime.sessions.begin() as session:
        await catalog.add_weekly_hours(session, business.id, me, 0, time(7), time(9))
    response = await web.get("/admin/settings/hours", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == f"/admin/settings/hours/{me}"
    page = await (await web.get(f"/admin/settings/hours/{me}")).text()
    assert "07:00-09:00" in page and "Only the owner can change these hours." in page and "Save hours" not in page
    assert (await web.get(f"/admin/settings/hours/{studio.ana}")).status == 403
    assert (await post(web, f"/admin/settings/hours/{me}", token, **WEEK)).status == 403
    assert (await post(web, f"/admin/settings/hours/{me}/time-off", token, starts="2026-12-24T12:00",
                       ends="2026-12-25T12:00")).status == 403
    assert await blocks(runtime, business.id, me) == [weekly_hours.Block(0, time(7), time(9))]


async def test_other_business_trainer_and_time_off_are_not_found(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_studio(runtime, business)
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = await catalog.add_staff(session, other.id, "Zé", NOW)
        off = await catalog.add_time_off(session, other.id, NOW, NOW.replace(day=30), staff_id=theirs.id)
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/settings/hours/{theirs.id}")).status == 404
    assert (await post(web, f"/admin/settings/hours/{theirs.id}", token, **WEEK)).status == 404
    assert (await post(web, f"/admin/settings/hours/{theirs.id}/time-off", token, starts="2026-12-24T12:00",
                       ends="2026-12-25T12:00")).status == 404
    assert (await post(web, f"/admin/settings/time-off/{off.id}/delete", token)).status == 404
    assert await fresh(runtime, TimeOff, off.id) is not None
    assert await blocks(runtime, other.id, theirs.id) == []


async def test_owner_without_trainers_is_pointed_to_the_staff_page(web: TestClient, runtime: Runtime, business: Business) -> None:
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings/hours")).text()
    assert "No active trainers yet" in page and 'href="/admin/staff"' in page
