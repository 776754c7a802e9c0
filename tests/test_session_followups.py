"""After the session: no-shows, the 1–5 follow-up and its answer, waitlist holds, the trainer's digest."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from domain import booking, checkins, classes, credits, digest_data, handoff
from domain.models import Booking, Client, SessionFeedback, Staff, WaitlistEntry
from tests.booking_setup import NOW, local, make_studio
from tests.scheduled_setup import book, chatting, outbox, run_due_at
from tests.support import drain, inbound, signed
from tests.transcript_runner import CLIENT_WA


async def test_no_show_is_marked_after_the_grace_period_and_the_client_is_offered_a_new_time(runtime, business, broker, clock):
    studio = await make_studio(runtime, business, requires_credit=True)
    async with runtime.sessions.begin() as session:
        await credits.add_pack(session, business.id, studio.clients[0], 2, NOW)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(24, 10))
    assert [r.kind for r in await run_due_at(runtime, broker, clock, local(24, 19, 14))] == []
    sent = await run_due_at(runtime, broker, clock, local(24, 19, 15))  # the end (19:00) + 15 min
    assert [r.kind for r in sent] == ["buttons"]
    assert sent[0].body.startswith("Oi Cliente 0, sentimos sua falta no *Treino personal* ter 24/11 às 18:00")
    assert sent[0].payload["buttons"] == [{"id": "menu:book", "title": "Marcar outro"}]
    async with runtime.sessions() as session:
        assert (await session.get(Booking, booking_id)).status == "no_show"
        assert await credits.balance(session, business.id, studio.clients[0]) == 1  # the credit stays spent
    assert await run_due_at(runtime, broker, clock, local(24, 20, 30)) == []  # no follow-up for a no-show


async def test_checked_in_client_gets_the_followup_and_a_typed_rating_is_stored(web, runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        client = await session.get(Client, studio.clients[0])
        client.wa_id, client.contact_key, client.phone_e164 = CLIENT_WA, f"+{CLIENT_WA}", f"+{CLIENT_WA}"
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(24, 10))
    clock._now = local(24, 17, 55)
    async with runtime.sessions.begin() as session:
        await checkins.check_in(session, business.id, studio.clients[0], clock.now(), method="chat")
    assert await run_due_at(runtime, broker, clock, local(24, 19, 30)) == []  # checked in: not a no-show
    sent = await run_due_at(runtime, broker, clock, local(24, 20))
    assert sent[0].kind == "list" and "Como foi o treino (*Treino personal*)? Dê uma nota de 1 a 5" in sent[0].body
    assert [r["id"] for r in sent[0].payload["sections"][0]["rows"]][0] == f"rate:{booking_id}:5"
    raw, headers = signed(inbound("text", message_id="wamid.RATE", text="4", wa_id=CLIENT_WA, timestamp=int(clock.now().timestamp())))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    async with runtime.sessions() as session:
        stored = (await session.execute(select(SessionFeedback))).scalars().all()
    assert [(f.booking_id, f.rating) for f in stored] == [(booking_id, 4)]
    replies = [r.body for r in await outbox(runtime) if r.kind == "text"]
    assert replies[-1] == "Valeu pela nota 4! 🙌 Até o próximo treino."


async def test_waitlist_hold_lapses_and_the_seat_goes_to_the_next_client(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW, capacity=1)
        seat = await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=spin.id, now=NOW)
        for n in (1, 2):
            await classes.join_waitlist(session, business.id, client_id=studio.clients[n], appointment_id=spin.id, now=NOW)
        offered = (await booking.cancel(session, business.id, seat.id, NOW)).offers
    assert [o.client_id for o in offered] == [studio.clients[1]]
    assert await run_due_at(runtime, broker, clock, NOW + timedelta(minutes=29)) == []
    sent = await run_due_at(runtime, broker, clock, NOW + timedelta(minutes=31))
    assert [(r.client_id, r.kind, r.payload["name"]) for r in sent] == [(studio.clients[2], "template", "waitlist_offer")]
    async with runtime.sessions() as session:
        entries = (await session.execute(select(WaitlistEntry).order_by(WaitlistEntry.id))).scalars().all()
    assert [e.status for e in entries] == ["expired", "offered"]


async def test_trainer_digest_lists_today_open_handoffs_and_yesterdays_no_shows(runtime, business, broker, clock):
    studio = await make_studio(runtime, business)
    yesterday = await book(runtime, studio, local(23, 18), NOW, client=1)
    async with runtime.sessions.begin() as session:
        await booking.set_status(session, business.id, yesterday, "no_show", local(23, 20))
        await handoff.take_over(session, business.id, studio.clients[2], NOW)
        ana = await session.get(Staff, studio.ana)
        ana.wa_id, ana.digest_at_min = "5511955550000", 8 * 60 + 30
        trainer = await digest_data.trainer_contact(session, ana, NOW)
        assert trainer is not None
        trainer_id = trainer.id
    await book(runtime, studio, local(24, 9), NOW)
    await book(runtime, studio, local(24, 18), NOW, client=2)
    clock._now = local(24, 8)
    await chatting(runtime, studio, local(24, 8), client=0)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, trainer_id)).last_inbound_at = local(24, 7)
    assert [r for r in await run_due_at(runtime, broker, clock, local(24, 8, 29)) if r.client_id == trainer_id] == []
    sent = [r for r in await run_due_at(runtime, broker, clock, local(24, 8, 30)) if r.client_id == trainer_id]
    assert len(sent) == 1 and sent[0].kind == "text"
    assert sent[0].body == ("Bom dia! Seu resumo de ter 24/11 📋\n*Hoje* (2):\n• 09:00 — Treino personal: Cliente 0\n"
                            "• 18:00 — Treino personal: Cliente 2\n*Esperando você no chat* (1):\n• Cliente 2\n"
                            "*Faltas ontem* (1):\n• 18:00 Cliente 1")
    assert [r for r in await run_due_at(runtime, broker, clock, local(24, 9)) if r.client_id == trainer_id] == []
