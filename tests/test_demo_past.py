"""The demo's twelve weeks of history, as the panel shows them: the dashboard's charts, the calendar, the client pages
and the inbox; and nothing about a past session is sent once the worker starts."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from admin.read_models.calendar_week import entries_between
from admin.read_models.client_profile import client_profile
from admin.read_models.dashboard_stats import dashboard
from admin.read_models.inbox_overview import inbox
from domain.clock import FixedClock
from domain.demo_past import WEEKS, check_rules, load_catalog, plan_past
from domain.demo_seed import DEMO_CLIENTS, seed_demo
from domain.models import (
    Appointment,
    Booking,
    Business,
    CheckIn,
    Client,
    CreditBalance,
    CreditEntry,
    InboundMessage,
    OutboundMessage,
    ScheduledMessage,
    Staff,
)
from workers.due_work import plan_due, run_due

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)  # a Thursday, 15:30 at the studio


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def seeded(runtime) -> Business:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await seed_demo(session, "555000444", NOW)


async def client_named(session, name: str) -> Client:  # type: ignore[no-untyped-def]
    """One of the demo's named clients (the imported members' names may repeat theirs)."""
    wa_id = next(wa_id for client, wa_id, _ in DEMO_CLIENTS if client == name)
    return (await session.execute(select(Client).where(Client.wa_id == wa_id))).scalar_one()


async def test_the_demo_has_twelve_weeks_of_sessions_check_ins_and_chats_in_the_panel(runtime):
    shop = await seeded(runtime)
    async with runtime.sessions() as session:
        figures = await dashboard(session, shop.id, shop.timezone, NOW)
        past = figures.weeks[:-1]  # the last one is this week
        assert len(past) == WEEKS - 1
        assert all(w.bookings >= 25 and w.check_ins >= 25 for w in past), figures.weeks
        assert sum(w.no_shows for w in past) >= 10 and sum(w.cancellations for w in past) >= 10
        assert 0 < max(w.no_show_rate for w in past) < 0.25
        first, last = sum(w.bookings for w in past[:4]), sum(w.bookings for w in past[-4:])
        assert last > first * 1.1, figures.weeks  # the studio is growing
        assert figures.this_week.bookings > 0 and figures.sessions_today  # this morning's sessions, this week's so far
        ana = await session.scalar(select(Staff.id).where(Staff.business_id == shop.id, Staff.name == "Ana Paula"))
        assert all(w.bookings > 0 for w in (await dashboard(session, shop.id, shop.timezone, NOW, staff_id=ana)).weeks)

        # The calendar's past weeks: personal sessions and spinning classes with seats, busiest on weekday evenings.
        start = NOW - timedelta(weeks=WEEKS)
        entries = await entries_between(session, shop.id, start, NOW)
        classes = [e for e in entries if e.kind == "class"]
        assert classes and all(e.taken <= e.capacity for e in classes) and max(e.taken for e in classes) >= 6
        assert Counter(e.status for e in entries if e.kind == "personal").keys() >= {"completed", "no_show", "checked_in"}
        booked = (await session.execute(select(Appointment.starts_at).join(Booking, Booking.appointment_id == Appointment.id)
                                        .where(Appointment.business_id == shop.id, Appointment.starts_at < NOW,
                                               Booking.status != "cancelled"))).scalars().all()
        local = [at.astimezone(SAO_PAULO) for at in booked]
        evenings = sum(1 for at in local if at.weekday() < 4 and at.hour >= 17)
        assert evenings > 0.4 * len(local)
        late = await session.scalar(select(func.count()).select_from(Booking).where(
            Booking.business_id == shop.id, Booking.late_cancel.is_(True)))
        assert late > 0

        # Maria's page: months of sessions with Ana and spinning, her check-ins, a ledger that adds up, an empty chat
        # (the simulator starts it).
        maria = await client_named(session, "Maria Souza")
        page = await client_profile(session, shop.id, None, maria.id, NOW)
        done = [v for v in page.past if v.status == "completed"]
        assert {v.service for v in done} >= {"Personal 60 min", "Spinning"} and {v.trainer for v in done} >= {"Ana Paula"}
        assert min(v.starts_at for v in page.past) < NOW - timedelta(weeks=11)
        assert len(page.check_ins) >= 10 and page.upcoming
        assert page.balance == sum(e.delta for e in page.ledger) and page.chat == []
        carla = await client_profile(session, shop.id, None, (await client_named(session, "Carla Dias")).id, NOW)
        assert {line.direction for line in carla.chat} == {"in", "out"}
        assert any("Bom treino" in line.text for line in carla.chat) and any(line.kind == "text" and "Dona do Studio"
                                                                             in line.text for line in carla.chat)

        # The inbox: recent conversations, none waiting for a person, the client's last words as the preview.
        box = await inbox(session, shop.id, None)
        assert len(box.rows) >= 8 and box.waiting == 0
        assert all(r.last_message and r.updated_at < NOW for r in box.rows)
        assert box.rows[0].updated_at > NOW - timedelta(days=2)

        # Every balance is its ledger; nothing is waiting to be processed or sent.
        ledger = dict((await session.execute(select(CreditEntry.client_id, func.sum(CreditEntry.delta))
                                             .where(CreditEntry.business_id == shop.id)
                                             .group_by(CreditEntry.client_id))).all())
        balances = dict((await session.execute(select(CreditBalance.client_id, CreditBalance.balance)
                                               .where(CreditBalance.business_id == shop.id))).all())
        assert {c: n for c, n in balances.items() if n} == {c: n for c, n in ledger.items() if n}
        assert await session.scalar(select(func.count()).select_from(InboundMessage)
                                    .where(InboundMessage.processed_at.is_(None))) == 0
        assert await session.scalar(select(func.count()).select_from(OutboundMessage)
                                    .where(OutboundMessage.status.in_(("queued", "sending")))) == 0
        assert await session.scalar(select(func.count()).select_from(CheckIn).where(
            CheckIn.business_id == shop.id, CheckIn.booking_id.is_not(None))) > 300

        # Deterministic: the same moment plans the same past.
        named = [(c.profile_name or "", c.phone_e164 or "", c.created_at) for c in (await session.execute(
            select(Client).where(Client.business_id == shop.id, Client.wa_id.in_([wa_id for _, wa_id, _ in DEMO_CLIENTS]))
            .order_by(Client.id))).scalars()]
        catalog = await load_catalog(session, shop)
        plan = plan_past(catalog, named, SAO_PAULO, NOW)
        assert plan == plan_past(catalog, named, SAO_PAULO, NOW)
        past_bookings = await session.scalar(select(func.count()).select_from(Booking).join(Appointment).where(
            Booking.business_id == shop.id, Appointment.starts_at < NOW))
        assert past_bookings == len(plan.seats)

    # Whenever the demo starts (any day, early or late), its past keeps the rules and fills every week.
    for hours in range(0, 7 * 24, 17):
        now = NOW + timedelta(hours=hours)
        plan = plan_past(catalog, named, SAO_PAULO, now)
        check_rules(plan, catalog, SAO_PAULO)
        first_monday = now.astimezone(SAO_PAULO).date() - timedelta(days=now.astimezone(SAO_PAULO).weekday(), weeks=WEEKS)
        weeks = Counter((plan.sessions[s.session].starts_at.astimezone(SAO_PAULO).date() - first_monday).days // 7
                        for s in plan.seats if s.status == "completed")
        assert all(weeks[w] >= 20 for w in range(WEEKS)), (now, weeks)
        assert all(m.at < now for m in plan.messages) and all(s.events[-1][4] < now for s in plan.seats)


async def test_the_worker_sends_nothing_about_the_demos_past_sessions(runtime):
    shop = await seeded(runtime)
    async with runtime.sessions() as session:
        before = await session.scalar(select(func.count()).select_from(OutboundMessage))
    await plan_due(runtime)  # what the scheduler's first tick does when the demo starts
    await run_due(runtime)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboundMessage)) == before
        planned = (await session.execute(select(ScheduledMessage.kind, ScheduledMessage.target_at).where(
            ScheduledMessage.business_id == shop.id, ScheduledMessage.kind.in_(("reminder", "followup", "no_show"))))).all()
        assert planned and all(target > NOW for _, target in planned)  # only the week ahead's sessions
