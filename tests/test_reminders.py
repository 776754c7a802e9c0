"""Appointment reminders: planned with the booking, never stale, buttons or template, local time, quiet hours."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from conversations.replies import Template
from domain.models import Business
from domain.scheduling import booking, catalog
from domain.scheduling.schedule_times import before_in_local_terms, quiet_until
from tests.booking_setup import NOW, local, make_studio
from tests.scheduled_setup import book, chatting, due_rows, run_due_at


async def test_booking_plans_two_reminders_a_followup_and_a_no_show_check(runtime, business):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(25, 18), NOW)
    rows = await due_rows(runtime, booking_id)
    assert [(r.kind, r.offset_min, r.due_at) for r in rows] == [
        ("followup", 0, local(25, 20)),  # the end (19:00) + 60 min
        ("no_show", 0, local(25, 19, 15)),
        ("reminder", 1440, local(24, 18)),
        ("reminder", 120, local(25, 16)),
    ]


async def test_booking_made_3_hours_before_gets_only_the_2_hour_reminder(runtime, business):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(23, 14), local(23, 11))
    assert [r.offset_min for r in await due_rows(runtime, booking_id, "reminder")] == [120]


async def test_reminder_inside_the_window_has_confirm_reschedule_cancel_buttons(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(23, 17))
    sent = await run_due_at(runtime, broker, clock, local(23, 18))
    assert [r.kind for r in sent] == ["buttons"]
    assert "Lembrete: *Treino personal* com Ana ter 24/11 às 18:00" in sent[0].body
    assert [(b["id"], b["title"]) for b in sent[0].payload["buttons"]] == [
        (f"reminder:confirm:{booking_id}", "Confirmo"), (f"reminder:reschedule:{booking_id}", "Remarcar"),
        (f"reminder:cancel:{booking_id}", "Cancelar")]
    assert await run_due_at(runtime, broker, clock, local(23, 18, 1)) == []  # exactly once


async def test_reminder_outside_the_window_is_the_business_template_with_button_payloads(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    sent = await run_due_at(runtime, broker, clock, local(23, 18))
    assert sent[0].kind == "template"
    assert sent[0].payload == Template("appointment_reminder", "pt_BR", ("Cliente 0", "Treino personal", "ter 24/11 às 18:00", "Ana"),
                                       (f"reminder:confirm:{booking_id}", f"reminder:reschedule:{booking_id}",
                                        f"reminder:cancel:{booking_id}")).payload()


async def test_rescheduled_appointment_gets_no_stale_reminder(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    async with runtime.sessions.begin() as session:
        await booking.reschedule(session, business.id, booking_id, local(26, 18), NOW)
    assert await run_due_at(runtime, broker, clock, local(23, 18)) == []  # the old 24 h mark
    assert await run_due_at(runtime, broker, clock, local(24, 16)) == []  # the old 2 h mark
    sent = await run_due_at(runtime, broker, clock, local(25, 18))
    assert len(sent) == 1 and "qui 26/11 às 18:00" in sent[0].body
    statuses = {(r.target_at, r.offset_min, r.status) for r in await due_rows(runtime, booking_id, "reminder")}
    assert statuses == {(local(24, 18), 1440, "cancelled"), (local(24, 18), 120, "cancelled"),
                        (local(26, 18), 1440, "done"), (local(26, 18), 120, "pending")}


async def test_cancelled_appointment_gets_no_reminder_followup_or_no_show(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    async with runtime.sessions.begin() as session:
        await booking.cancel(session, business.id, booking_id, NOW)
    assert await run_due_at(runtime, broker, clock, local(25, 12)) == []
    assert {r.status for r in await due_rows(runtime, booking_id)} == {"cancelled"}


async def test_reminder_for_7am_goes_out_at_7am_the_day_before_across_dst(runtime, business, broker, clock):
    # New York leaves DST on Sunday 1 Nov 2026 at 02:00: Saturday 07:00 EDT is 25 real hours before Sunday 07:00 EST.
    start = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 07:00 EST
    assert before_in_local_terms(start, 1440, "America/New_York") == datetime(2026, 10, 31, 11, 0, tzinfo=UTC)
    assert before_in_local_terms(start, 120, "America/New_York") == start - timedelta(hours=2)
    async with runtime.sessions.begin() as session:
        shop = await session.get(Business, business.id)
        shop.timezone, shop.min_notice_min, shop.quiet_start_min, shop.quiet_end_min = "America/New_York", 0, 0, 0
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        await catalog.add_weekly_hours(session, business.id, studio.ana, 6, time(6), time(12))  # Sundays too
    booking_id = await book(runtime, studio, start, datetime(2026, 10, 28, 12, 0, tzinfo=UTC))
    reminder = (await due_rows(runtime, booking_id, "reminder"))[0]
    assert reminder.due_at == datetime(2026, 10, 31, 11, 0, tzinfo=UTC)  # 07:00 EDT, the day before
    assert await run_due_at(runtime, broker, clock, reminder.due_at - timedelta(minutes=1)) == []
    assert len(await run_due_at(runtime, broker, clock, reminder.due_at)) == 1


async def test_quiet_hours_hold_a_reminder_until_morning(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 7), NOW - timedelta(days=1))  # 24 h mark: 23/11 07:00
    assert await run_due_at(runtime, broker, clock, local(23, 7)) == []  # 07:00 is inside 22:00–08:00
    assert (await due_rows(runtime, booking_id, "reminder"))[0].due_at == local(23, 8)
    assert len(await run_due_at(runtime, broker, clock, local(23, 8))) == 1


async def test_a_reminder_whose_session_starts_before_quiet_hours_end_is_skipped(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    booking_id = await book(runtime, studio, local(24, 7), NOW)
    assert await run_due_at(runtime, broker, clock, local(24, 5)) == []  # the 2 h mark, at night
    two_hour = [r for r in await due_rows(runtime, booking_id, "reminder") if r.offset_min == 120][0]
    assert (two_hour.status, two_hour.outcome) == ("skipped", "quiet hours until the session")


async def test_quiet_hours_are_local_and_can_be_turned_off():
    shop = Business(timezone="America/Sao_Paulo", quiet_start_min=22 * 60, quiet_end_min=8 * 60)
    assert quiet_until(shop, local(23, 23)) == local(24, 8)
    assert quiet_until(shop, local(24, 3)) == local(24, 8)
    assert quiet_until(shop, local(24, 8)) is None
    shop.quiet_start_min = shop.quiet_end_min = 0
    assert quiet_until(shop, local(24, 3)) is None
