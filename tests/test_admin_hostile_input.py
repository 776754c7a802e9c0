"""Hostile input to the panel never gets a 500: ids no row can have are 404, impossible dates are form errors."""
from __future__ import annotations

import html
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from admin.panel import PAGES
from domain.clock import FixedClock
from domain.models import AdminUser, Appointment, Booking, Service, TimeOff
from domain.scheduling import classes
from tests.booking_setup import NOW, local
from tests.panel_calendar_support import Panel, book, open_panel

HUGE = "9" * 20  # beyond PostgreSQL's bigint (and SQLite's 64-bit integer)
HUGER = "1" * 23
PATH_ID = re.compile(r"\{\w+:\\d\+\}")
ID_ROUTES = sorted({(route.method, route.path) for page in PAGES  # type: ignore[attr-defined]
                    for route in importlib.import_module(f"admin.views.{page}").routes if PATH_ID.search(route.path)})


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def test_the_id_routes_are_all_found() -> None:
    assert len(ID_ROUTES) >= 30 and ("GET", r"/admin/clients/{client_id:\d+}") in ID_ROUTES


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
async def test_an_id_beyond_bigint_in_the_path_is_not_found(web, runtime, business, method: str, path: str) -> None:
    panel = await open_panel(web, runtime, business)
    url = PATH_ID.sub(HUGE, path)
    if method == "GET":
        assert (await panel.page(url))[0] == 404
    else:
        assert (await panel.post(url, day="2026-11-25", at="10:00", who="studio", status="completed", active="1",
                                 role="owner", name="x", body="hi", template="x")).status == 404


@dataclass(frozen=True)
class Hostile:
    """A form posted with one impossible value: the form again (400) with these words, nothing stored."""

    path: Callable[[Panel, dict[str, int]], str]
    fields: Callable[[Panel, dict[str, int]], dict[str, object]]
    words: str


def _appointment(p: Panel, **changed: object) -> dict[str, object]:
    return {"client_id": p.studio.clients[0], "service_id": p.studio.personal, "staff_id": p.studio.ana,
            "day": "2026-11-24", "at": "07:00", **changed}


def _class(p: Panel, **changed: object) -> dict[str, object]:
    return {"service_id": p.studio.spinning, "staff_id": p.studio.bruno, "day": "2026-11-26", "at": "18:00", **changed}


HOSTILE = {
    "booking client id": Hostile(lambda p, r: "/admin/calendar/appointments", lambda p, r: _appointment(p, client_id=HUGER),
                                 "Pick a client."),
    "booking service id": Hostile(lambda p, r: "/admin/calendar/appointments",
                                  lambda p, r: _appointment(p, service_id=HUGER), "Pick a service."),
    "booking trainer id": Hostile(lambda p, r: "/admin/calendar/appointments", lambda p, r: _appointment(p, staff_id=HUGER),
                                  "Pick a trainer."),
    "booking on the last day": Hostile(lambda p, r: "/admin/calendar/appointments",
                                       lambda p, r: _appointment(p, day="9999-12-31", at="23:30"), "Give a date from 2000 to 2100"),
    "booking on the first day": Hostile(lambda p, r: "/admin/calendar/appointments",
                                        lambda p, r: _appointment(p, day="0001-01-01", at="00:00"), "Give a date from 2000 to 2100"),
    "move to the last day": Hostile(lambda p, r: f"/admin/calendar/bookings/{r['booking']}/move",
                                    lambda p, r: {"day": "9999-12-31", "at": "23:30"}, "Give a date from 2000 to 2100"),
    "class service id": Hostile(lambda p, r: "/admin/classes", lambda p, r: _class(p, service_id=HUGER), "Pick a service."),
    "class trainer id": Hostile(lambda p, r: "/admin/classes", lambda p, r: _class(p, staff_id=HUGER), "Pick a trainer."),
    "class on the last day": Hostile(lambda p, r: "/admin/classes", lambda p, r: _class(p, day="9999-12-31"),
                                     "Give a date from 2000 to 2100"),
    "seat client id": Hostile(lambda p, r: f"/admin/classes/{r['class']}/seats", lambda p, r: {"client_id": HUGER},
                              "Pick a client."),
    "service trainer id": Hostile(lambda p, r: "/admin/settings/services",
                                  lambda p, r: {"name": "Yoga", "kind": "personal", "duration_min": "60", "trainer_ids": HUGER},
                                  "Pick one from the list."),
    "service edit trainer id": Hostile(lambda p, r: f"/admin/settings/services/{p.studio.personal}",
                                       lambda p, r: {"name": "Yoga", "kind": "personal", "duration_min": "60",
                                                     "trainer_ids": HUGER}, "Pick one from the list."),
    "login trainer id": Hostile(lambda p, r: "/admin/staff/users",
                                lambda p, r: {"email": "new@studio.test", "name": "New", "role": "trainer", "staff_id": HUGER,
                                              "password": "long enough password"}, "Pick one from the list."),
    "role trainer id": Hostile(lambda p, r: f"/admin/staff/users/{r['login']}/role",
                               lambda p, r: {"role": "trainer", "staff_id": HUGER}, "Pick one from the list."),
    "time off on the last day": Hostile(lambda p, r: f"/admin/settings/hours/{p.studio.ana}/time-off",
                                        lambda p, r: {"starts": "9999-12-31T23:00", "ends": "9999-12-31T23:59"},
                                        "Give a date from 2000 to 2100"),
    "time off from the first day": Hostile(lambda p, r: f"/admin/settings/hours/{p.studio.ana}/time-off",
                                           lambda p, r: {"starts": "0001-01-01T00:00", "ends": "2026-12-01T00:00"},
                                           "Give a date from 2000 to 2100"),
}


async def _stored(runtime) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """How many rows the hostile forms could have written, and the trainer login's role."""
    async with runtime.sessions() as session:
        counts = [await session.scalar(select(func.count()).select_from(model))
                  for model in (Appointment, Booking, Service, TimeOff)]
        roles = (await session.execute(select(AdminUser.role, AdminUser.staff_id).order_by(AdminUser.id))).all()
    return (*counts, *(value for row in roles for value in row))


@pytest.mark.parametrize("case", HOSTILE.values(), ids=HOSTILE.keys())
async def test_an_impossible_value_in_a_form_is_a_form_error(web, runtime, business, case: Hostile) -> None:
    panel = await open_panel(web, runtime, business)
    made = await book(runtime, panel.studio, local(25, 10))
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=panel.studio.spinning, staff_id=panel.studio.bruno,
                                            starts_at=local(25, 18), now=NOW)
        login_id = await session.scalar(select(AdminUser.id).where(AdminUser.email == "ana@studio.test"))
    rows = {"booking": made.id, "class": spin.id, "login": login_id}
    before = await _stored(runtime)
    response = await panel.post(case.path(panel, rows), **case.fields(panel, rows))
    assert response.status == 400
    assert case.words in html.unescape(await response.text())
    assert await _stored(runtime) == before


@pytest.mark.parametrize("query", ["week=9999-12-31", "week=0001-01-01", "week=2026-02-30", "week=" + HUGE])
async def test_the_calendar_shows_this_week_for_a_week_it_cannot_show(web, runtime, business, query: str) -> None:
    panel = await open_panel(web, runtime, business)
    status, page = await panel.page(f"/admin/calendar?{query}")
    assert status == 200 and "week of 23/11/2026" in page


@pytest.mark.parametrize("query", ["day=9999-12-31", "day=0001-01-01", f"client_id={HUGE}"])
async def test_the_booking_form_opens_whatever_it_is_prefilled_with(web, runtime, business, query: str) -> None:
    panel = await open_panel(web, runtime, business)
    status, page = await panel.page(f"/admin/calendar/new?{query}")
    assert status == 200 and "Cliente 0" in page


async def test_a_class_beyond_the_booking_horizon_is_refused(web, runtime, business) -> None:
    panel = await open_panel(web, runtime, business)  # the studio takes bookings 30 days ahead
    response = await panel.post("/admin/classes", **_class(panel, day="2027-01-07"))
    assert response.status == 400 and "Bookings open 30 days ahead." in await response.text()
    response = await panel.post("/admin/classes", **_class(panel, day="2026-12-17"))
    assert response.status == 303


@pytest.mark.parametrize(("query", "status", "words"), [
    ("/admin/calendar?trainer=" + "9" * 5000, 404, ""),
    ("/admin/calendar?trainer=²", 404, ""),
    ("/admin/clients?page=²", 200, "Cliente 0"),
    ("/admin/inbox?page=" + "9" * 5000, 200, "Inbox"),
])
async def test_a_query_no_row_can_match_is_not_an_error_page(web, runtime, business, query: str, status: int, words: str) -> None:
    panel = await open_panel(web, runtime, business)
    got, page = await panel.page(query)
    assert got == status and words in page


@pytest.mark.parametrize(("path", "fields"), [
    ("/admin/clients?q=ab%00c", None),
    ("/admin/staff/trainers", {"name": "Tr\x00iner"}),
    ("/admin/settings", {"name": "Studio\x00", "timezone": "America/Sao_Paulo", "locale": "en", "currency": "BRL"}),
    ("/admin/login", {"email": "owner\x00@studio.test", "password": "x"}),
])
async def test_a_nul_character_is_refused_before_it_reaches_the_database(web, runtime, business, path, fields) -> None:
    panel = await open_panel(web, runtime, business)
    before = await _stored(runtime)
    response = await (panel.web.get(path) if fields is None else panel.post(path, **fields))
    assert response.status == 400 and "NUL" in await response.text()
    assert await _stored(runtime) == before
