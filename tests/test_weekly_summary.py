"""Sunday evening's weekly training summary: to clients who accepted news and trained, at 19:00, once."""
from __future__ import annotations

from datetime import date

from domain.models import Client
from domain.training import workouts
from tests.booking_setup import local, make_studio
from tests.scheduled_setup import chatting, run_due_at


async def _trained(runtime, business, client_id, day: int, load_kg: float) -> None:  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        at = local(day, 8)
        workout = await workouts.open_session(session, business.id, client_id, date(2026, 11, day), at)
        await workouts.record(session, workout, [workouts.LogInput("bench_press", 3, 10, load_kg, "kg", load_kg)], at)


async def _studio(runtime, business):  # type: ignore[no-untyped-def]
    studio = await make_studio(runtime, business, clients=3)
    async with runtime.sessions.begin() as session:
        for n, consent in enumerate((True, True, False)):
            (await session.get(Client, studio.clients[n])).marketing_consent = consent
    for day, load_kg in ((23, 40.0), (25, 42.5)):  # Monday and Wednesday: a record on Wednesday
        await _trained(runtime, business, studio.clients[0], day, load_kg)
        await _trained(runtime, business, studio.clients[2], day, load_kg)  # trained, but declined news
    return studio


async def test_a_client_who_trained_and_accepted_news_gets_the_week_on_sunday_at_19(runtime, business, broker, clock):
    studio = await _studio(runtime, business)
    await chatting(runtime, studio, local(29, 10))
    assert await run_due_at(runtime, broker, clock, local(29, 18, 59)) == []
    sent = await run_due_at(runtime, broker, clock, local(29, 19))
    assert [(r.client_id, r.kind) for r in sent] == [(studio.clients[0], "text")]
    assert sent[0].body == ("📊 Cliente, seu resumo da semana: 2 treinos, 2.475 kg de volume, 1 recorde 🏆. "
                            "🔥 1 semana seguida com 2+ treinos! Bom descanso e até segunda! 💪")
    assert await run_due_at(runtime, broker, clock, local(29, 20)) == []  # once a week


async def test_outside_the_24_hour_window_the_summary_is_the_approved_template(runtime, business, broker, clock):
    studio = await _studio(runtime, business)
    sent = await run_due_at(runtime, broker, clock, local(29, 19))
    assert [(r.client_id, r.kind) for r in sent] == [(studio.clients[0], "template")]
    assert sent[0].payload["name"] == "weekly_summary"


async def test_no_summary_on_other_evenings_or_in_quiet_hours(runtime, business, broker, clock):
    await _studio(runtime, business)
    assert await run_due_at(runtime, broker, clock, local(28, 19)) == []  # Saturday
    assert await run_due_at(runtime, broker, clock, local(29, 23)) == []  # Sunday, but past the evening
