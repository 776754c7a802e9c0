"""Reminders, the after-session follow-up and the no-show notice for one booking.

Each checks the booking as it is now, so a moved or cancelled session never gets a stale
message, and answers with free-form buttons inside the 24-hour window or the business's
approved template outside it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, locale_of, sent, skipped, template_language
from conversations.dates import when
from conversations.replies import Button, Buttons, ListMessage, Reply, Row, Template
from conversations.texts import say
from domain.automation.booking_snapshots import BookingSnapshot, ClientView
from domain.automation.due_work import DueRow
from domain.messaging import outbox
from domain.models import Business
from domain.scheduling import booking as bookings
from domain.scheduling.schedule_times import before_in_local_terms, reminder_offsets

FOLLOWUP_TEMPLATE = "session_followup"
NO_SHOW_TEMPLATE = "missed_session"


def _stale(row: DueRow, s: BookingSnapshot, statuses: tuple[str, ...], *, reachable: bool = True) -> str | None:
    """Why the row no longer fits the booking as it is now (None: it still does)."""
    if s.appointment.status != "scheduled":
        return "appointment cancelled"
    if s.booking.status not in statuses:
        return f"booking {s.booking.status}"
    if s.appointment.starts_at != row.target_at:
        return "appointment moved"
    if reachable and not _reachable(s.client):
        return "client unreachable"
    return None


def _reachable(client: ClientView) -> bool:
    return client.erased_at is None and bool(client.wa_id)


def reminder(business: Business, row: DueRow, s: BookingSnapshot, now: datetime) -> Outcome:
    """"Confirmo / Remarcar / Cancelar" before the session; skipped once it started or a later reminder is due."""
    why = _stale(row, s, ("booked", "confirmed"))
    if why:
        return skipped(why)
    start = s.appointment.starts_at
    if now >= start:
        return skipped("session started")
    if row.offset_min not in reminder_offsets(business):
        return skipped("offset no longer used")  # the business changed its reminder times since
    if any(o < row.offset_min and before_in_local_terms(start, o, business.timezone) <= now for o in reminder_offsets(business)):
        return skipped("superseded by a later reminder")  # late (scheduler down): send only the nearest one
    locale, b_id = locale_of(business, s.client), s.booking.id
    slot = when(start, business.timezone, locale)
    ids = (f"reminder:confirm:{b_id}", f"reminder:reschedule:{b_id}", f"reminder:cancel:{b_id}")
    reply: Reply
    if outbox.inside_window(s.client.last_inbound_at, now):
        titles = [say(locale, f"reminder_{a}_button") for a in ("confirm", "reschedule", "cancel")]
        body = say(locale, "reminder", name=s.client.profile_name, service=s.service.name, when=slot, trainer=s.trainer.name)
        reply = Buttons(body, tuple(Button(i, t) for i, t in zip(ids, titles)))
    else:
        reply = Template(business.reminder_template, template_language(locale),
                         (s.client.profile_name or "", s.service.name, slot, s.trainer.name), ids)
    return sent(s.client, reply, f"reminder {row.offset_min} min")


def followup(business: Business, row: DueRow, s: BookingSnapshot, now: datetime) -> Outcome:
    """"How was the session? 1–5" after a session the client came to."""
    why = "follow-ups off" if not business.followup_enabled else _stale(row, s, ("checked_in", "completed"))
    if why:
        return skipped(why)
    locale = locale_of(business, s.client)
    body = say(locale, "followup", name=s.client.profile_name, service=s.service.name)
    reply: Reply
    if outbox.inside_window(s.client.last_inbound_at, now):
        rows = tuple(Row(f"rate:{s.booking.id}:{n}", say(locale, "rating_row", n=n)) for n in range(5, 0, -1))
        reply = ListMessage(body, say(locale, "followup_button"), rows)
    else:
        reply = Template(FOLLOWUP_TEMPLATE, template_language(locale), (s.client.profile_name or "", s.service.name))
    return sent(s.client, reply, "followup")


async def no_show(session: AsyncSession, business: Business, row: DueRow, s: BookingSnapshot, now: datetime) -> Outcome:
    """Not checked in or completed N minutes after the end: a no-show (the credit stays spent), said kindly."""
    why = _stale(row, s, ("booked", "confirmed"), reachable=False)
    if why:
        return skipped(why)
    await bookings.set_status(session, business.id, s.booking.id, "no_show", now, actor="system")
    if not _reachable(s.client):
        return Outcome("done", "no_show marked, client unreachable")
    locale = locale_of(business, s.client)
    slot = when(s.appointment.starts_at, business.timezone, locale)
    reply: Reply
    if outbox.inside_window(s.client.last_inbound_at, now):
        body = say(locale, "no_show", name=s.client.profile_name, service=s.service.name, when=slot)
        reply = Buttons(body, (Button("menu:book", say(locale, "no_show_rebook_button")),))
    else:
        reply = Template(NO_SHOW_TEMPLATE, template_language(locale), (s.client.profile_name or "", s.service.name, slot),
                         ("menu:book",))
    return sent(s.client, reply, "no_show marked")
