"""The panel's calendar, class and dashboard queries, in the business's week and time zone."""
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import select

from admin.read_models import class_sessions, panel_choices
from admin.read_models.business_week import week_edges
from admin.read_models.calendar_week import booking_entry, entries_between
from admin.read_models.dashboard_stats import dashboard
from conversations.team_notices import tell
from domain.errors import NotFound
from domain.models import Business, Client, InboundMessage, OutboundMessage
from domain.scheduling import booking, catalog, classes, credits
from tests.booking_setup import NOW, local, make_studio

TZ = "America/Sao_Paulo"
WEEK = week_edges(NOW.date() - timedelta(days=NOW.weekday()), TZ)  # Mon 23/11 00:00 → Mon 30/11 00:00 local


async def book(runtime, studio, starts_at, *, client=0, trainer=None, now=NOW):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await booking.book_personal(session, studio.business.id, client_id=studio.clients[client],
                                           service_id=studio.personal, staff_id=trainer or studio.ana,
                                           starts_at=starts_at, now=now, actor="trainer")


async def test_calendar_week_shows_sessions_with_their_clients_and_classes_with_seats(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(25, 18), now=NOW)
        await classes.book_seat(session, business.id, client_id=studio.clients[1], appointment_id=spin.id, now=NOW)
    await book(runtime, studio, local(30, 7))  # next Monday: outside this week
    async with runtime.sessions() as session:
        week = await entries_between(session, business.id, WEEK[0], WEEK[1])
    assert [(e.service, e.trainer, e.client, e.taken, e.capacity) for e in week] == [
        ("Treino personal", "Ana", "Cliente 0", 1, 1), ("Spinning", "Bruno", None, 1, 5)]


async def test_trainer_calendar_holds_only_their_sessions(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    bruno_booking = await book(runtime, studio, local(24, 7), client=1, trainer=studio.bruno)
    async with runtime.sessions() as session:
        week = await entries_between(session, business.id, WEEK[0], WEEK[1], staff_id=studio.ana)
        with pytest.raises(NotFound):
            await booking_entry(session, business.id, bruno_booking.id, staff_id=studio.ana)
    assert [e.trainer for e in week] == ["Ana"]


async def test_sunday_night_session_belongs_to_the_local_week(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        await catalog.add_weekly_hours(session, business.id, studio.ana, 6, time(20), time(23, 59))
    late = await book(runtime, studio, local(29, 22))  # Sunday 22:00 local is Monday 01:00 UTC
    async with runtime.sessions() as session:
        week = await entries_between(session, business.id, WEEK[0], WEEK[1])
    assert [e.booking_id for e in week] == [late.id]


async def test_dashboard_counts_no_shows_in_business_week(runtime, business):
    studio = await make_studio(runtime, business)
    earlier = NOW - timedelta(days=7)
    last_week = await book(runtime, studio, local(17, 7), now=earlier)
    this_week = [await book(runtime, studio, local(23, h), client=h % 3, now=earlier) for h in (6, 8, 10)]
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, business.id, last_week.id, "no_show", NOW)
        await booking.set_status(session, business.id, this_week[0].id, "no_show", NOW)
        await booking.set_status(session, business.id, this_week[1].id, "completed", NOW)
        await booking.cancel(session, business.id, this_week[2].id, earlier, by="client")
    async with runtime.sessions() as session:
        figures = await dashboard(session, business.id, TZ, NOW)
    week = figures.this_week
    assert (week.bookings, week.no_shows, week.cancellations) == (2, 1, 1)
    assert week.no_show_rate == 0.5
    assert figures.weeks[-2].no_shows == 1 and len(figures.weeks) == 12
    assert [e.booking_id for e in figures.sessions_today] == [this_week[0].id, this_week[1].id]


async def test_dashboard_week_totals_count_clients_credits_and_messages(runtime, business):
    studio = await make_studio(runtime, business, clients=2)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 10, NOW)
        await credits.add_pack(session, business.id, studio.clients[1], 5, NOW - timedelta(days=8))  # last week
        session.add(InboundMessage(business_id=business.id, client_id=studio.clients[0], provider_message_id="wamid.1",
                                   kind="text", body="oi", payload={}, sent_at=NOW, received_at=NOW))
        for kind in ("read", "text", "text"):
            session.add(OutboundMessage(business_id=business.id, client_id=studio.clients[0], kind=kind, body="x",
                                        payload={}, status="sent", next_attempt_at=NOW, created_at=NOW, updated_at=NOW))
        old = await session.get(Client, studio.clients[1])
        old.created_at = NOW - timedelta(days=30)
    async with runtime.sessions() as session:
        figures = await dashboard(session, business.id, TZ, NOW)
    assert (figures.new_clients, figures.credits_sold, figures.messages_in, figures.messages_out) == (1, 10, 1, 2)


async def test_trainer_dashboard_covers_their_sessions_and_clients(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7))
    await book(runtime, studio, local(24, 7), client=1, trainer=studio.bruno)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[1], 4, NOW)
    async with runtime.sessions() as session:
        ana = await dashboard(session, business.id, TZ, NOW, staff_id=studio.ana)
        owner = await dashboard(session, business.id, TZ, NOW)
    assert (ana.this_week.bookings, ana.new_clients, ana.credits_sold) == (1, 1, 0)
    assert (owner.this_week.bookings, owner.new_clients, owner.credits_sold) == (2, 3, 4)


async def test_trainer_picks_only_their_own_clients(runtime, business):
    studio = await make_studio(runtime, business)
    await book(runtime, studio, local(24, 7), client=2)
    async with runtime.sessions() as session:
        mine = await panel_choices.clients(session, business.id, staff_id=studio.ana)
        everyone = await panel_choices.clients(session, business.id)
        personal = await panel_choices.services(session, business.id, classes=False)
    assert [c.id for c in mine] == [studio.clients[2]]
    assert len(everyone) == 3
    assert [(s.label, set(s.staff_ids)) for s in personal] == [("Treino personal", {studio.ana, studio.bruno})]


async def test_cancelling_a_class_refunds_seats_and_closes_the_waitlist(runtime, business):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        for client in studio.clients[:2]:
            await credits.add_pack(session, business.id, client, 2, NOW)
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(25, 18), now=NOW, capacity=2)
        for client in studio.clients[:2]:
            await classes.book_seat(session, business.id, client_id=client, appointment_id=spin.id, now=NOW)
        await classes.join_waitlist(session, business.id, client_id=studio.clients[2], appointment_id=spin.id, now=NOW)
    async with runtime.sessions() as session:
        before = await class_sessions.roster(session, business.id, spin.id)
    async with runtime.sessions.begin() as session:
        outcome = await class_sessions.cancel_class(session, business.id, spin.id, NOW, reason="instructor ill")
    async with runtime.sessions() as session:
        left = [await credits.balance(session, business.id, c) for c in studio.clients[:2]]
        upcoming = await class_sessions.upcoming(session, business.id, NOW)
    assert (before.session.taken, before.session.waiting, [s.client for s in before.waitlist]) == (2, 1, ["Cliente 2"])
    assert outcome.booked == [(studio.clients[0], True), (studio.clients[1], True)]
    assert outcome.waiting == [studio.clients[2]] and left == [2, 2] and upcoming == []


async def test_other_business_class_is_not_found(runtime, business):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(25, 18), now=NOW)
    async with runtime.sessions() as session:
        with pytest.raises(NotFound):
            await class_sessions.roster(session, business.id + 1, spin.id)
        with pytest.raises(NotFound):
            await class_sessions.roster(session, business.id, spin.id, staff_id=studio.ana)


async def test_team_notice_speaks_the_clients_language_or_goes_as_a_template(runtime, business):
    studio = await make_studio(runtime, business, clients=2)
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        english = await session.get(Client, studio.clients[0])
        english.locale, english.last_inbound_at = "en", NOW - timedelta(hours=1)
        await tell(session, shop, studio.clients[0], NOW, "team_booked", service="Treino personal",
                   when=local(24, 7), trainer="Ana")
        await tell(session, shop, studio.clients[1], NOW, "team_booked", service="Treino personal",
                   when=local(24, 7), trainer="Ana")
    async with runtime.sessions() as session:
        sent = (await session.execute(select(OutboundMessage).order_by(OutboundMessage.id))).scalars().all()
    assert sent[0].kind == "text" and sent[0].body == "📅 Ana booked you for *Treino personal* on Tue 24/11 at 07:00. See you there! 💪"
    assert sent[1].kind == "template"
    assert sent[1].payload == {"name": "team_booked", "language": "pt_BR",
                               "parameters": ["Treino personal", "ter 24/11 às 07:00", "Ana"]}
