"""Check-ins: the visits by day, and recording an arrival (a booking around now is checked in, else a walk-in)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.operations import Call, Operation
from api.resources.common import after_time_cursor, business_of, page, within
from api.schemas import CheckInIn, CheckInOut, CheckInPage, CheckInQuery
from domain.models import CheckIn
from domain.scheduling import checkins


def check_in_out(visit: CheckIn) -> CheckInOut:
    return CheckInOut(id=visit.id, client_id=visit.client_id, booking_id=visit.booking_id, method=visit.method,
                      checked_in_at=visit.checked_in_at)


async def list_check_ins(call: Call[CheckInQuery, None]) -> CheckInPage:
    q = call.query
    async with call.runtime.sessions() as session:
        business = await business_of(session, call.business_id)
        filters: list[Any] = [CheckIn.business_id == call.business_id, *within(CheckIn.checked_in_at, business, q),
                              *after_time_cursor(CheckIn.checked_in_at, CheckIn.id, q.cursor)]
        if q.client_id:
            filters.append(CheckIn.client_id == q.client_id)
        rows = (await session.execute(select(CheckIn).where(*filters).order_by(CheckIn.checked_in_at, CheckIn.id)
                                      .limit(q.limit + 1))).scalars().all()
    shown, cursor = page(rows, q.limit, lambda v: (v.checked_in_at, v.id))
    return CheckInPage(data=[check_in_out(v) for v in shown], next_cursor=cursor)


async def check_in(call: Call[None, CheckInIn]) -> CheckInOut:
    async with call.runtime.sessions.begin() as session:
        visit = await checkins.check_in(session, call.business_id, call.body.client_id, call.runtime.clock.now(),
                                        method="staff", actor="api")
        return check_in_out(visit)


OPERATIONS = [
    Operation("GET", "/check-ins", "listCheckIns", "Check-ins by day", "check-ins", list_check_ins, CheckInPage,
              query=CheckInQuery, example_query={"from": "2026-11-23", "client_id": 1}),
    Operation("POST", "/check-ins", "createCheckIn", "Record a client's arrival", "check-ins", check_in, CheckInOut, status=201,
              body=CheckInIn, example_body={"client_id": 1}, errors=(404, 409)),
]
