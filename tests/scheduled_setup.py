"""Helpers for the scheduled-work tests: book through the domain, run due work at a given time."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain.models import Client, OutboundMessage, ScheduledMessage
from domain.scheduling import booking
from tests.booking_setup import Studio
from workers import due_work


async def book(runtime: Any, studio: Studio, at: datetime, now: datetime, *, client: int = 0) -> int:
    async with runtime.sessions.begin() as session:
        made = await booking.book_personal(session, studio.business.id, client_id=studio.clients[client],
                                           service_id=studio.personal, staff_id=studio.ana, starts_at=at, now=now)
        return made.id


async def chatting(runtime: Any, studio: Studio, at: datetime, *, client: int = 0) -> None:
    """The client wrote at `at`: the 24-hour window is open from then."""
    async with runtime.sessions.begin() as session:
        (await session.get(Client, studio.clients[client])).last_inbound_at = at


async def run_due_at(runtime: Any, broker: Any, clock: Any, at: datetime) -> list[OutboundMessage]:
    """Move the clock to `at`, run a tick and the consumer; return the outbox rows that appeared."""
    before = {r.id for r in await outbox(runtime)}
    clock._now = at
    await due_work.plan_due(runtime)
    await due_work.run_due(runtime)
    broker.flush_all()
    return [r for r in await outbox(runtime) if r.id not in before]


async def outbox(runtime: Any) -> list[OutboundMessage]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all())


async def due_rows(runtime: Any, subject_id: int | None = None, kind: str | None = None) -> list[ScheduledMessage]:
    stmt = select(ScheduledMessage).order_by(ScheduledMessage.kind, ScheduledMessage.offset_min.desc(), ScheduledMessage.id)
    if subject_id is not None:
        stmt = stmt.where(ScheduledMessage.subject_id == subject_id)
    if kind is not None:
        stmt = stmt.where(ScheduledMessage.kind == kind)
    async with runtime.sessions() as session:
        return list((await session.execute(stmt)).scalars().all())
