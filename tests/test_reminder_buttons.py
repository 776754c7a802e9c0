"""A reminder sent by the workers, then tapped: the buttons feed straight into the chat flows."""
from __future__ import annotations

from typing import Any

from domain.models import Booking, Client
from tests.booking_setup import NOW, local, make_studio
from tests.scheduled_setup import book, chatting, outbox, run_due_at
from tests.support import drain, inbound, signed
from tests.transcript_runner import CLIENT_WA


async def _tap(web: Any, broker: Any, runtime: Any, clock: Any, fixture: str, reply_id: str) -> list[str]:
    body = inbound(fixture, message_id=f"wamid.TAP{reply_id}", wa_id=CLIENT_WA, timestamp=int(clock.now().timestamp()))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    if fixture == "interactive_button_reply":
        message["interactive"]["button_reply"]["id"] = reply_id
    else:  # a quick-reply button of a template comes back with its payload
        message["button"]["payload"] = reply_id
    before = len(await outbox(runtime))
    raw, headers = signed(body)
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    assert response.status == 200, await response.text()
    await drain(broker, runtime, only_inbound=True)
    return [r.body or "" for r in (await outbox(runtime))[before:] if r.kind != "read"]


async def _studio_with_me(runtime: Any, business: Any) -> Any:
    studio = await make_studio(runtime, business)
    async with runtime.sessions.begin() as session:
        me = await session.get(Client, studio.clients[0])
        me.wa_id, me.contact_key, me.phone_e164 = CLIENT_WA, f"+{CLIENT_WA}", f"+{CLIENT_WA}"
        me.marketing_consent = True
    return studio


async def test_tapping_confirmo_on_a_sent_reminder_confirms_the_session(web, runtime, business, broker, clock):
    studio = await _studio_with_me(runtime, business)
    booking_id = await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(23, 17))
    [reminder] = await run_due_at(runtime, broker, clock, local(23, 18))
    confirm = reminder.payload["buttons"][0]["id"]
    replies = await _tap(web, broker, runtime, clock, "interactive_button_reply", confirm)
    # The name the studio has for the client beats the WhatsApp profile name.
    assert replies[0].startswith("Oi, Cliente 0! 👋") and replies[1:] == ["Presença confirmada ✅ Até lá!"]
    async with runtime.sessions() as session:
        assert (await session.get(Booking, booking_id)).status == "confirmed"
    # Confirmed sessions still get the 2-hour reminder.
    assert len(await run_due_at(runtime, broker, clock, local(24, 16))) == 1


async def test_tapping_remarcar_on_a_template_reminder_starts_the_reschedule(web, runtime, business, broker, clock):
    studio = await _studio_with_me(runtime, business)
    await book(runtime, studio, local(24, 18), NOW)
    [reminder] = await run_due_at(runtime, broker, clock, local(23, 18))
    assert reminder.kind == "template"
    replies = await _tap(web, broker, runtime, clock, "template_quick_reply_button", reminder.payload["buttons"][1])
    assert replies[1] == "Vamos remarcar o treino de ter 24/11 às 18:00." and replies[2].startswith("Pra que dia")


async def test_tapping_cancelar_on_a_reminder_asks_to_confirm_the_cancel(web, runtime, business, broker, clock):
    studio = await _studio_with_me(runtime, business)
    await book(runtime, studio, local(24, 18), NOW)
    await chatting(runtime, studio, local(23, 17))
    [reminder] = await run_due_at(runtime, broker, clock, local(23, 18))
    replies = await _tap(web, broker, runtime, clock, "interactive_button_reply", reminder.payload["buttons"][2]["id"])
    assert replies[1].startswith("Cancelar ter 24/11 às 18:00 — Treino personal com Ana?")
