"""A freed class seat reaches the first waiting client as a chat message in the outbox."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from conversations.notices import queue_waitlist_offers
from domain.models import Business, Client, OutboundMessage
from domain.scheduling import booking, classes
from tests.booking_setup import NOW, local, make_studio


async def offer_a_seat(runtime, business, *, last_message_ago: timedelta):  # type: ignore[no-untyped-def]
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        waiting = await session.get(Client, studio.clients[1])
        waiting.last_inbound_at = NOW - last_message_ago
        made = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW, capacity=1)
        seat = await classes.book_seat(session, business.id, client_id=studio.clients[0], appointment_id=made.id, now=NOW)
        await classes.join_waitlist(session, business.id, client_id=studio.clients[1], appointment_id=made.id, now=NOW)
    async with runtime.sessions.begin() as session:
        outcome = await booking.cancel(session, business.id, seat.id, NOW)
        await queue_waitlist_offers(session, await session.get(Business, business.id), outcome.offers, NOW)
    async with runtime.sessions() as session:
        return studio, (await session.execute(select(OutboundMessage))).scalars().all()


async def test_freed_seat_is_offered_in_chat_with_buttons(runtime, business):
    studio, messages = await offer_a_seat(runtime, business, last_message_ago=timedelta(hours=2))
    assert len(messages) == 1 and messages[0].client_id == studio.clients[1]
    assert messages[0].kind == "buttons"
    assert "Abriu uma vaga em *Spinning* ter 24/11 às 18:00" in messages[0].body
    assert "reservada pra você até 09:30" in messages[0].body
    assert [b["title"] for b in messages[0].payload["buttons"]] == ["Quero a vaga", "Não, obrigado"]


async def test_offer_outside_the_24_hour_window_goes_as_a_template(runtime, business):
    _, messages = await offer_a_seat(runtime, business, last_message_ago=timedelta(days=3))
    assert messages[0].kind == "template"
    assert messages[0].payload == {"name": "waitlist_offer", "language": "pt_BR", "parameters": ["Spinning", "ter 24/11 às 18:00", "09:30"]}
