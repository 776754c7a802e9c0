"""Messages the domain's events send to clients (waitlist offers, …), queued in the same transaction."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.dates import clock_time, when
from conversations.replies import Button, Buttons, Reply, Template, preview
from conversations.texts import DEFAULT_LOCALE, say
from domain.automation import scheduled_work
from domain.messaging import outbox
from domain.models import Business, WaitlistEntry
from domain.scheduling.schedule_times import quiet_until
from domain.scheduling.waitlist_offers import offer_details

WAITLIST_TEMPLATE = "waitlist_offer"


async def queue_waitlist_offers(session: AsyncSession, business: Business, offers: Sequence[WaitlistEntry], now: datetime) -> None:
    """Tell each offered client about the seat held for them; in quiet hours, once they end."""
    until = quiet_until(business, now)
    for offer in offers:
        if until is not None:
            await scheduled_work.plan_waitlist_offer(session, offer, until, now)
        else:
            message = await waitlist_offer_message(session, business, offer, now)
            await outbox.queue_messages(session, business.id, offer.client_id, [message], now)


async def waitlist_offer_message(session: AsyncSession, business: Business, offer: WaitlistEntry,
                                 now: datetime) -> outbox.OutgoingMessage:
    """The offer with buttons that feed the chat flow, or the approved template outside the 24-hour window."""
    assert offer.offer_expires_at is not None
    client, appointment, service = await offer_details(session, offer)
    locale = client.locale or business.locale or DEFAULT_LOCALE
    slot, until = when(appointment.starts_at, business.timezone, locale), clock_time(offer.offer_expires_at, business.timezone)
    reply: Reply
    if outbox.inside_window(client.last_inbound_at, now):
        reply = Buttons(say(locale, "waitlist_offer", service=service.name, when=slot, until=until), (
            Button(f"waitlist:accept:{offer.id}", say(locale, "waitlist_accept")),
            Button(f"waitlist:decline:{offer.id}", say(locale, "waitlist_decline")),
        ))
    else:  # outside the window only an approved template may open the conversation
        reply = Template(WAITLIST_TEMPLATE, locale.replace("-", "_"), (service.name, slot, until))
    return outbox.OutgoingMessage(reply.kind, preview(reply), reply.payload())
