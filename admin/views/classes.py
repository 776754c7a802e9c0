"""Group classes: upcoming sessions with seats taken, scheduling one, its roster and waitlist, cancelling it."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.domain_words import word, words
from admin.flash import flash
from admin.forms.scheduling import CancelClass, NewClass, NewSeat, form_fields, read, skipped_time
from admin.i18n import _, current_locale, ngettext
from admin.identity import Identity, identity
from admin.read_models import class_sessions, panel_choices
from admin.read_models.business_week import local_today
from admin.scope import business_of, check_client, in_business, staff_scope
from admin.template_words import not_told
from conversations.dates import when
from conversations.email_notices import email_booking, wants_email
from conversations.reach import Reach
from conversations.team_notices import tell
from domain.errors import DomainError, NotFound
from domain.models import Business, Client, Service, Staff
from domain.scheduling import catalog, classes
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/classes", name="classes")
async def classes_page(request: web.Request) -> web.Response:
    return await _list_page(request, identity(request), {}, {})


@routes.post("/admin/classes", name="classes_schedule")
async def schedule(request: web.Request) -> web.Response:
    """Put a class session in a trainer's calendar (a trainer schedules only their own)."""
    me = identity(request)
    posted = await form_fields(request)
    if not me.is_owner:
        posted["staff_id"] = str(me.staff_id or 0)
    form, errors = read(NewClass, posted)
    runtime = request.app[RUNTIME]
    if form is not None:
        try:
            async with runtime.sessions.begin() as session:
                business = await business_of(session, me)
                await in_business(session, me, Service, form.service_id)
                await in_business(session, me, Staff, form.staff_id)
                starts_at = form.starts_at(business.timezone)
                if not await _teaches(session, business.id, form.service_id, form.staff_id):
                    errors["staff_id" if me.is_owner else "form"] = _("That trainer does not teach this class.")
                elif starts_at is None:
                    errors["at"] = skipped_time()
                else:
                    made = await classes.schedule_class(session, business.id, service_id=form.service_id,
                                                        staff_id=form.staff_id, starts_at=starts_at,
                                                        now=runtime.clock.now(), capacity=form.capacity)
        except DomainError as error:
            errors["form"] = words(error)
        if not errors:
            flash(request, ngettext("Scheduled for %(when)s, %(num)s seat.", "Scheduled for %(when)s, %(num)s seats.",
                                    made.capacity, when=when(made.starts_at, business.timezone, current_locale())))
            raise web.HTTPSeeOther(request.app.router["class_session"].url_for(appointment_id=str(made.id)))
    return await _list_page(request, me, posted, errors, status=400)


@routes.get("/admin/classes/{appointment_id:\\d+}", name="class_session")
async def session_page(request: web.Request) -> web.Response:
    return await _session_page(request, identity(request), {}, {})


@routes.post("/admin/classes/{appointment_id:\\d+}/cancel", name="class_cancel")
async def cancel(request: web.Request) -> web.Response:
    """Cancel the session: seats cancelled by the studio (credits back), everyone booked or waiting told in chat."""
    me = identity(request)
    posted = await form_fields(request)
    form, errors = read(CancelClass, posted)
    runtime = request.app[RUNTIME]
    told: list[int] = []
    missed: list[Reach] = []  # told, but out of the 24-hour window with no template to reach them
    if form is not None:
        try:
            async with runtime.sessions.begin() as session:
                business = await business_of(session, me)
                roster = await _roster(session, request, me)
                now = runtime.clock.now()
                outcome = await class_sessions.cancel_class(session, business.id, roster.session.appointment_id, now,
                                                            reason=form.reason)
                for client_id, refunded in outcome.booked + [(c, False) for c in outcome.waiting]:
                    reached = await tell(session, business, client_id, now, "class_cancelled", {"reason": form.reason or ""},
                                         service=roster.session.service, when=roster.session.starts_at, refunded=refunded)
                    if reached is not None:
                        told.append(client_id)
                        if not reached.ok:
                            missed.append(reached)
        except DomainError as error:
            errors["form"] = words(error)
    if errors:
        return await _session_page(request, me, posted, errors, status=400)
    await request.app[RUNTIME].wake.deliver(told)
    flash(request, ngettext("Class cancelled; %(num)s client told in chat. Credits spent on it were refunded.",
                            "Class cancelled; %(num)s clients told in chat. Credits spent on it were refunded.",
                            len(told) - len(missed)))
    if missed:
        flash(request, not_told(missed), "warn")
    raise web.HTTPSeeOther(request.app.router["classes"].url_for())


@routes.post("/admin/classes/{appointment_id:\\d+}/seats", name="class_add_seat")
async def add_seat(request: web.Request) -> web.Response:
    """Give a client a seat through the chat's own rules (capacity, notice, credits); they hear in chat, or by email
    with the .ics when WhatsApp cannot reach them and they gave an email."""
    missed: list[Reach] = []
    emailed: list[int] = []
    mailer = request.app[RUNTIME].mailer

    async def act(session: AsyncSession, business: Business, roster: class_sessions.Roster, client: Client, now: datetime) -> str:
        seat = await classes.book_seat(session, business.id, client_id=client.id,
                                       appointment_id=roster.session.appointment_id, now=now, actor="trainer")
        told = await tell(session, business, client.id, now, "team_booked", service=roster.session.service,
                          when=roster.session.starts_at, trainer=roster.session.trainer)
        if told is None:  # erased: nothing more to say to them
            return _("%(client)s has a seat.", client=_name(client))
        if mailer is not None and wants_email(client, told):
            await email_booking(session, business, client, seat.id, service=roster.session.service,
                                starts_at=roster.session.starts_at, trainer=roster.session.trainer, now=now,
                                sender=mailer.sender)
            emailed.append(client.id)
        if told.ok:
            return _("%(client)s has a seat and was told in chat.", client=_name(client))
        if emailed:
            return _("%(client)s has a seat.", client=_name(client)) + " " + _(
                "WhatsApp cannot reach them now: a confirmation with a calendar invitation goes to their email.")
        missed.append(told)
        return _("%(client)s has a seat.", client=_name(client))
    return await _for_client(request, act, told=True, missed=missed, emailed=emailed)


@routes.post("/admin/classes/{appointment_id:\\d+}/waitlist", name="class_add_waiting")
async def add_waiting(request: web.Request) -> web.Response:
    """A full class: put a client on its waitlist; a freed seat is offered to them in chat, in their turn."""
    async def act(session: AsyncSession, business: Business, roster: class_sessions.Roster, client: Client, now: datetime) -> str:
        entry = await classes.join_waitlist(session, business.id, client_id=client.id,
                                            appointment_id=roster.session.appointment_id, now=now)
        return _("%(client)s is on the waitlist, number %(position)s.", client=_name(client),
                 position=await classes.waitlist_position(session, entry))
    return await _for_client(request, act, told=False)


async def _for_client(request: web.Request, act: Callable[..., Awaitable[str]], *, told: bool,
                      missed: Sequence[Reach] = (), emailed: Sequence[int] = ()) -> web.Response:
    """The class page's client form: check the client, `act` on the class, say what happened (its sentence)."""
    me = identity(request)
    posted = await form_fields(request)
    form, errors = read(NewSeat, posted)
    runtime = request.app[RUNTIME]
    if form is not None:
        try:
            async with runtime.sessions.begin() as session:
                business = await business_of(session, me)
                roster = await _roster(session, request, me)
                client = await check_client(session, me, form.client_id)
                done = await act(session, business, roster, client, runtime.clock.now())
        except DomainError as error:
            errors["form"] = words(error)
    if form is None or errors:
        return await _session_page(request, me, posted, errors, status=400)
    if told:
        await request.app[RUNTIME].wake.deliver([form.client_id])
    if emailed:
        await runtime.wake.mail()
    flash(request, done)
    if missed:
        flash(request, not_told(missed), "warn")
    raise web.HTTPSeeOther(request.app.router["class_session"].url_for(appointment_id=request.match_info["appointment_id"]))


def _name(client: Client) -> str:
    return client.profile_name or client.phone_e164 or _("The client")


async def _teaches(session: AsyncSession, business_id: int, service_id: int, staff_id: int) -> bool:
    """Whether the trainer teaches the class; any trainer may when the class has no (active) trainer linked."""
    teachers = await catalog.trainers_for(session, business_id, service_id)
    return not teachers or staff_id in {t.id for t in teachers}


async def _roster(session: AsyncSession, request: web.Request, me: Identity) -> class_sessions.Roster:
    try:
        return await class_sessions.roster(session, me.business_id, int(request.match_info["appointment_id"]),
                                           staff_id=staff_scope(me))
    except NotFound:
        raise web.HTTPNotFound() from None


async def _list_page(request: web.Request, me: Identity, values: Mapping[str, str], errors: dict[str, str], *,
                     status: int = 200) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        upcoming = await class_sessions.upcoming(session, business.id, runtime.clock.now(), staff_id=staff_scope(me))
        services = await panel_choices.services(session, business.id, classes=True)
        trainers = await panel_choices.trainers(session, business.id)
    chosen = class_sessions.chosen_service(services, values.get("service_id") or request.query.get("service_id"))
    context = {"business": business, "tz": ZoneInfo(business.timezone), "upcoming": upcoming, "services": services,
               "chosen": chosen, "trainers": class_sessions.trainers_of(chosen, trainers), "values": values, "errors": errors,
               "today": local_today(runtime.clock.now(), business.timezone)}
    return aiohttp_jinja2.render_template("admin/classes.html", request, context, status=status)


async def _session_page(request: web.Request, me: Identity, values: Mapping[str, str], errors: dict[str, str], *,
                        status: int = 200) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        roster = await _roster(session, request, me)
        clients = await panel_choices.clients(session, business.id, staff_id=staff_scope(me))
    context = {"business": business, "tz": ZoneInfo(business.timezone), "roster": roster, "c": roster.session,
               "clients": clients, "word": word,
               "values": values, "errors": errors, "started": roster.session.starts_at <= runtime.clock.now()}
    return aiohttp_jinja2.render_template("admin/class_session.html", request, context, status=status)
