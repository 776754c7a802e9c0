"""One personal booking in the calendar: move it, cancel it (late-cancel policy said), mark it done or a no-show.

Registered on admin.views.calendar's route table; every change goes through domain.scheduling.booking, the
service the chat uses, and the client hears about it in chat (a move or a cancel also by email, with the updated
.ics, when WhatsApp cannot reach them and they gave an email).
"""
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.domain_words import word, words
from admin.flash import flash
from admin.forms.scheduling import Cancel, Mark, When, form_fields, read, skipped_time
from admin.i18n import _, current_locale
from admin.identity import Identity, identity
from admin.read_models.calendar_week import Entry, booking_entry
from admin.scope import business_of, staff_scope
from admin.template_words import not_told
from conversations.dates import when
from conversations.email_notices import email_cancelled, email_instead, email_moved
from conversations.reach import Reach
from conversations.team_notices import tell
from domain.errors import DomainError, NotFound
from domain.models import Business, Client
from domain.scheduling import booking
from runtime.keys import RUNTIME

# The booking a command acted on and its local day, kept on the request for the redirect.
ENTRY = web.RequestKey("calendar_entry", Entry)
DAY = web.RequestKey("calendar_day", str)


async def booking_page(request: web.Request) -> web.Response:
    return await _page(request, identity(request), {}, {})


async def move(request: web.Request) -> web.Response:
    """Reschedule atomically (the new time taken and the old one freed together, or nothing)."""
    me, posted = identity(request), await form_fields(request)
    form, errors = read(When, posted)
    emailed, told = False, None
    if form is not None:
        async with _command(request, me, errors) as (session, business, entry, now):
            new = form.starts_at(business.timezone)
            if new is None:
                errors["at"] = skipped_time()
            else:
                await booking.reschedule(session, business.id, entry.booking_id, new, now, by="trainer")
                told = await tell(session, business, entry.client_id, now, "team_moved", service=entry.service,
                                  old=entry.starts_at, new=new)
                emailed = await _email_instead(request, session, business, entry, told, lambda client, sender: email_moved(
                    session, business, client, entry.booking_id, service=entry.service, old=entry.starts_at, new=new,
                    trainer=entry.trainer, now=now, sender=sender))
                done = _("Moved to %(when)s.", when=when(new, business.timezone, current_locale()))
    return await _finish(request, me, posted, errors, "move", lambda: done, told, emailed=emailed)


async def cancel(request: web.Request) -> web.Response:
    """Cancel: when the client asked, the late-cancel policy decides the credit; the studio always refunds."""
    me, posted = identity(request), await form_fields(request)
    form, errors = read(Cancel, posted)
    emailed, told = False, None
    if form is not None:
        async with _command(request, me, errors) as (session, business, entry, now):
            outcome = await booking.cancel(session, business.id, entry.booking_id, now,
                                           by="client" if form.who == "client" else "trainer", reason=form.reason)
            told = await tell(session, business, entry.client_id, now, "team_cancelled", service=entry.service,
                              when=entry.starts_at, refunded=outcome.refunded, late=outcome.late)
            emailed = await _email_instead(request, session, business, entry, told, lambda client, sender: email_cancelled(
                session, business, client, entry.booking_id, service=entry.service, starts_at=entry.starts_at,
                refunded=outcome.refunded, late=outcome.late, reason=form.reason, now=now, sender=sender))
            done = (_("Cancelled. The credit was refunded.") if outcome.refunded else
                    _("Cancelled. The credit was forfeited (late cancel).") if outcome.late and entry.paid_with == "credit" else
                    _("Cancelled. No credit was spent on it."))
    return await _finish(request, me, posted, errors, "cancel", lambda: done, told, to_calendar=True, emailed=emailed)


async def mark(request: web.Request) -> web.Response:
    """Record how the session went: completed or a no-show (a no-show's credit is not refunded)."""
    me, posted = identity(request), await form_fields(request)
    form, errors = read(Mark, posted)
    told = None
    if form is not None:
        async with _command(request, me, errors) as (session, business, entry, now):
            await booking.set_status(session, business.id, entry.booking_id, form.status, now, actor="trainer")
            told = await tell(session, business, entry.client_id, now, "team_marked", service=entry.service,
                              when=entry.starts_at, status=form.status)
            done = _("Marked completed.") if form.status == "completed" else _("Marked a no-show.")
    return await _finish(request, me, posted, errors, "mark", lambda: done, told)


async def _email_instead(request: web.Request, session: AsyncSession, business: Business, entry: Entry, told: Reach | None,
                        queue: Callable[[Client, str], Awaitable[None]]) -> bool:
    """Queue the change by email too when WhatsApp cannot reach the client and they gave an email (and email is set
    up); whether it was."""
    mailer = request.app[RUNTIME].mailer
    if mailer is None or entry.client_id is None or told is None:
        return False
    return await email_instead(session, business, entry.client_id, told, lambda client: queue(client, mailer.sender))


class _Undo(Exception):
    """A form error found mid-way: roll the transaction back."""


@asynccontextmanager
async def _command(request: web.Request, me: Identity,
                   errors: dict[str, str]) -> AsyncIterator[tuple[AsyncSession, Business, Entry, datetime]]:
    """A transaction with the booking in scope; a domain refusal rolls back and lands in `errors['form']`."""
    runtime = request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            business = await business_of(session, me)
            request[ENTRY] = entry = await _entry(session, request, me)
            request[DAY] = entry.starts_at.astimezone(ZoneInfo(business.timezone)).date().isoformat()
            yield session, business, entry, runtime.clock.now()
            if errors:
                raise _Undo()
    except _Undo:
        pass
    except DomainError as error:
        errors["form"] = words(error)


async def _entry(session: AsyncSession, request: web.Request, me: Identity) -> Entry:
    try:
        return await booking_entry(session, me.business_id, int(request.match_info["booking_id"]), staff_id=staff_scope(me))
    except NotFound:
        raise web.HTTPNotFound() from None


async def _finish(request: web.Request, me: Identity, posted: Mapping[str, str], errors: dict[str, str], action: str,
                  done: Callable[[], str], told: Reach | None, *, to_calendar: bool = False, emailed: bool = False
                  ) -> web.Response:
    """After a change: tell delivery (and the mail sender), flash and redirect; after a refusal: the page again (400)
    with the words."""
    if errors:
        return await _page(request, me, posted, errors, action=action, status=400)
    entry: Entry = request[ENTRY]
    await request.app[RUNTIME].wake.deliver([entry.client_id])
    if emailed:
        await request.app[RUNTIME].wake.mail()
    if told is None:  # an erased client: nothing was said to them
        flash(request, done())
    elif told.ok:
        flash(request, done() + " " + _("The client was told in chat."))
    elif emailed:
        flash(request, done() + " " + (
            _("WhatsApp cannot reach them now: the new time, with an updated calendar invitation, goes to their email.")
            if action == "move" else
            _("WhatsApp cannot reach them now: the cancellation, with a calendar update that removes it, goes to their email.")))
    else:  # out of the 24-hour window, with no template to reach them
        flash(request, done())
        flash(request, not_told([told]), "warn")
    router = request.app.router
    if to_calendar:
        raise web.HTTPSeeOther(router["calendar"].url_for().with_query(week=request[DAY]))
    raise web.HTTPSeeOther(router["calendar_booking"].url_for(booking_id=str(entry.booking_id)))


async def _page(request: web.Request, me: Identity, values: Mapping[str, str], errors: dict[str, str], *,
                action: str = "", status: int = 200) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        entry = await _entry(session, request, me)
    now = runtime.clock.now()
    context = {
        "business": business, "tz": ZoneInfo(business.timezone), "e": entry, "values": values, "errors": errors,
        "action": action, "started": entry.starts_at <= now, "word": word,
        "late": now > entry.starts_at - timedelta(minutes=business.late_cancel_window_min),
        "window_h": business.late_cancel_window_min // 60,
    }
    return aiohttp_jinja2.render_template("admin/calendar_booking.html", request, context, status=status)
