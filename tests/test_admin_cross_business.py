"""Every id a panel form carries is checked against the logged-in business: another business's id changes nothing."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import AdminUser, Appointment, Booking, Service, ServiceTrainer, TimeOff
from domain.scheduling import catalog, classes
from tests.booking_setup import NOW, local, make_client
from tests.panel_calendar_support import Panel, open_panel, other_business


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@dataclass(frozen=True)
class Theirs:
    """Rows of another business, and rows of ours the forms act on."""

    client: int
    staff: int
    service: int
    login: int
    our_class: int


@dataclass(frozen=True)
class Foreign:
    path: Callable[[Panel, Theirs], str]
    fields: Callable[[Panel, Theirs], dict[str, object]]


def _appointment(p: Panel, **changed: object) -> dict[str, object]:
    return {"client_id": p.studio.clients[0], "service_id": p.studio.personal, "staff_id": p.studio.ana,
            "day": "2026-11-24", "at": "07:00", **changed}


def _class(p: Panel, **changed: object) -> dict[str, object]:
    return {"service_id": p.studio.spinning, "staff_id": p.studio.bruno, "day": "2026-11-26", "at": "18:00", **changed}


def _service(trainer: int) -> dict[str, object]:
    return {"name": "Yoga", "kind": "personal", "duration_min": "60", "trainer_ids": trainer}


FOREIGN = {
    "booking their client": Foreign(lambda p, t: "/admin/calendar/appointments", lambda p, t: _appointment(p, client_id=t.client)),
    "booking their service": Foreign(lambda p, t: "/admin/calendar/appointments", lambda p, t: _appointment(p, service_id=t.service)),
    "booking their trainer": Foreign(lambda p, t: "/admin/calendar/appointments", lambda p, t: _appointment(p, staff_id=t.staff)),
    "class of their service": Foreign(lambda p, t: "/admin/classes", lambda p, t: _class(p, service_id=t.service)),
    "class with their trainer": Foreign(lambda p, t: "/admin/classes", lambda p, t: _class(p, staff_id=t.staff)),
    "seat for their client": Foreign(lambda p, t: f"/admin/classes/{t.our_class}/seats", lambda p, t: {"client_id": t.client}),
    "service taught by their trainer": Foreign(lambda p, t: "/admin/settings/services", lambda p, t: _service(t.staff)),
    "service edited to their trainer": Foreign(lambda p, t: f"/admin/settings/services/{p.studio.personal}",
                                               lambda p, t: _service(t.staff)),
    "time off for their trainer": Foreign(lambda p, t: f"/admin/settings/hours/{t.staff}/time-off",
                                          lambda p, t: {"starts": "2026-12-24T12:00", "ends": "2026-12-25T12:00"}),
    "hours for their trainer": Foreign(lambda p, t: f"/admin/settings/hours/{t.staff}", lambda p, t: {"day0": "06:00-12:00"}),
    "trainer login for their trainer": Foreign(lambda p, t: "/admin/staff/users",
                                               lambda p, t: {"email": "new@studio.test", "name": "New", "role": "trainer",
                                                             "staff_id": t.staff, "password": "long enough password"}),
    "owner login tied to their trainer": Foreign(lambda p, t: "/admin/staff/users",
                                                 lambda p, t: {"email": "new@studio.test", "name": "New", "role": "owner",
                                                               "staff_id": t.staff, "password": "long enough password"}),
    "our login made their trainer": Foreign(lambda p, t: f"/admin/staff/users/{t.login}/role",
                                            lambda p, t: {"role": "trainer", "staff_id": t.staff}),
    "our login made owner tied to their trainer": Foreign(lambda p, t: f"/admin/staff/users/{t.login}/role",
                                                          lambda p, t: {"role": "owner", "staff_id": t.staff}),
}


async def _stored(runtime) -> list[object]:  # type: ignore[no-untyped-def]
    """Everything the forms above could write."""
    async with runtime.sessions() as session:
        found: list[object] = []
        for model in (Appointment, Booking, Service, ServiceTrainer, TimeOff):
            found.append(sorted(str(row) for row in (await session.execute(select(model.__table__))).all()))
        found.append((await session.execute(
            select(AdminUser.email, AdminUser.role, AdminUser.staff_id).order_by(AdminUser.id))).all())
    return found


@pytest.mark.parametrize("case", FOREIGN.values(), ids=FOREIGN.keys())
async def test_another_business_id_in_a_form_changes_nothing(web, runtime, business, case: Foreign) -> None:
    panel = await open_panel(web, runtime, business)
    elsewhere = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        stranger = await catalog.add_staff(session, elsewhere.id, "Stranger", NOW)
        service = await catalog.add_service(session, elsewhere.id, "Their session", NOW, duration_min=60, trainer_ids=[stranger.id])
        client = await make_client(session, elsewhere.id, 90)
        spin = await classes.schedule_class(session, business.id, service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                            starts_at=local(25, 18), now=NOW)
        login = await session.scalar(select(AdminUser.id).where(AdminUser.email == "ana@studio.test"))
    theirs = Theirs(client, stranger.id, service.id, login, spin.id)
    before = await _stored(runtime)
    response = await panel.post(case.path(panel, theirs), **case.fields(panel, theirs))
    assert response.status in (400, 404), await response.text()
    assert await _stored(runtime) == before


async def test_another_business_id_in_a_query_shows_nothing_of_theirs(web, runtime, business) -> None:
    panel = await open_panel(web, runtime, business)
    elsewhere = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        stranger = await catalog.add_staff(session, elsewhere.id, "Stranger", NOW)
        client = await make_client(session, elsewhere.id, 90)
    status, page = await panel.page(f"/admin/calendar/new?client_id={client}")
    assert status == 200 and "Cliente 0" in page and "Cliente 90" not in page
    assert (await panel.page(f"/admin/calendar?trainer={stranger.id}"))[0] == 404
    assert (await panel.page(f"/admin/calendar/new?trainer={stranger.id}"))[0] == 404
