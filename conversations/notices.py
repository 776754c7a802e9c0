"""Messages the domain's events send to clients (waitlist offers, …), queued in the same transaction."""
from __future__ import annotations

from datetime import datetime
from typing import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.dates import clock_time, when
from conversations.replies import Button, Buttons, Reply, Template, preview
from conversations.texts import DEFAULT_LOCALE, say
from domain import outbox
from domain.models import Appointment, Business, Client, Service, WaitlistEntry

async def queue_waitlist_offers(session: AsyncSession, business: Business, offers: Sequence[WaitlistEntry], now: datetime) -> None:
    """Tell each offered client about the seat held for them, with buttons that feed the chat flow."""
    for offer in offers:
        client = await session.get(Client, offer.client_id)
        appointment = await session.get(Appointment, offer.appointment_id)
        assert client is not None and appointment is not None and offer.offer_expires_at is not None
        service = await session.get(Service, appointment.service_id)
        assert service is not None
        locale = client.locale or business.locale or DEFAULT_LOCALE
        slot, until = when(appointment.starts_at, business.timezone, locale), clock_time(offer.offer_expires_at, business.timezone)
        reply: Reply
        if outbox.inside_window(client.last_inbound_at, now):
            reply = Buttons(say(locale, "waitlist_offer", service=service.name, when=slot, until=until), (
                Button(f"waitlist:accept:{offer.id}", say(locale, "waitlist_accept")),
                Button(f"waitlist:decline:{offer.id}", say(locale, "waitlist_decline")),
            ))
        else:  # outside the window only an approved template may open the conversation
            reply = Template("waitlist_offer", locale.replace("-", "_"), (service.name, slot, until))
        await outbox.queue_messages(session, business.id, client.id, [outbox.OutgoingMessage(reply.kind, preview(reply), reply.payload())], now)
