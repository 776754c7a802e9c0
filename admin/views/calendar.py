"""The week calendar (Mon–Sun, business time zone) per trainer or for the business; booking a client."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from admin.domain_words import words
from admin.flash import flash
from admin.forms.fields import day_or_none, row_id_or_none
from admin.forms.scheduling import NewAppointment, form_fields, read, skipped_time
from admin.i18n import _, current_locale
from admin.identity import Identity, identity
from admin.read_models import panel_choices
from admin.read_models.business_week import local_today, monday_of, week_edges
from admin.read_models.calendar_week import entries_between
from admin.scope import business_of, check_client, in_business, staff_scope
from admin.template_words import not_told
from admin.views import calendar_booking
from conversations.dates import when
from conversations.email_notices import email_booking, wants_email
from conversations.reach import Reach
from conversations.team_notices import tell
from domain.errors import DomainError
from domain.models import Service, Staff
from domain.scheduling import booking
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
routes.get("/admin/calendar/bookings/{booking_id:\\d+}", name="calendar_booking")(calendar_booking.booking_page)
routes.post("/admin/calendar/bookings/{booking_id:\\d+}/move", name="calendar_move")(calendar_booking.move)
routes.post("/admin/calendar/bookings/{booking_id:\\d+}/cancel", name="calendar_cancel")(calendar_booking.cancel)
routes.post("/admin/calendar/bookings/{booking_id:\\d+}/mark", name="calendar_mark")(calendar_booking.mark)


@routes.get("/admin/calendar", name="calendar")
async def calendar_page(request: web.Request) -> web.Response:
    """?week=YYYY-MM-DD (any day of the week) &trainer=<id|all>; a trainer always sees their own."""
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        today = local_today(runtime.clock.now(), business.timezone)
        # A mistyped date, or one too far off to show, shows this week rather than an error page.
        monday = monday_of(day_or_none(request.query.get("week")) or today)
        trainers = await panel_choices.trainers(session, business.id)
        staff_id = _trainer(me, request.query.get("trainer"), trainers)
        start, end = week_edges(monday, business.timezone)
        entries = await entries_between(session, business.id, start, end, staff_id=staff_id)
    tz = ZoneInfo(business.timezone)
    week = [monday + timedelta(days=i) for i in range(7)]
    days = [(day, [e for e in entries if e.starts_at.astimezone(tz).date() == day]) for day in week]
    return aiohttp_jinja2.render_template("admin/calendar.html", request, {
        "business": business, "tz": tz, "days": days, "today": today, "monday": monday,
        "prev_week": monday - timedelta(weeks=1), "next_week": monday + timedelta(weeks=1),
        "trainers": trainers, "staff_id": staff_id, "trainer_param": "all" if staff_id is None else str(staff_id),
        "default_day": today if today in week else monday,
    })


@routes.get("/admin/calendar/new", name="calendar_new")
async def new_page(request: web.Request) -> web.Response:
    """The booking form (?day=YYYY-MM-DD&trainer=<id|all>&client_id=N pre-fill it; ?client_q= searches clients)."""
    return await _new_page(request, identity(request), request.query, {})


@routes.post("/admin/calendar/appointments", name="calendar_create")
async def create_appointment(request: web.Request) -> web.Response:
    """Book a personal session for a client through the chat's booking rules; the client hears in chat."""
    me = identity(request)
    posted = await form_fields(request)
    if not me.is_owner:
        posted["staff_id"] = str(me.staff_id or 0)  # a trainer books only into their own calendar
    form, errors = read(NewAppointment, posted)
    runtime, done = request.app[RUNTIME], ""
    told: Reach | None = None
    emailed = False
    if form is not None:
        try:
            async with runtime.sessions.begin() as session:
                business = await business_of(session, me)
                client = await check_client(session, me, form.client_id)
                service = await in_business(session, me, Service, form.service_id)
                trainer = await in_business(session, me, Staff, form.staff_id)
                starts_at = form.starts_at(business.timezone)
                if starts_at is None:
                    errors["at"] = skipped_time()
                else:
                    now = runtime.clock.now()
                    booked = await booking.book_personal(session, business.id, client_id=client.id, service_id=service.id,
                                                         staff_id=trainer.id, starts_at=starts_at, now=now, actor="trainer")
                    told = await tell(session, business, client.id, now, "team_booked", service=service.name,
                                      when=starts_at, trainer=trainer.name)
                    # WhatsApp cannot: by email, with the .ics
                    if runtime.mailer is not None and told is not None and wants_email(client, told):
                        await email_booking(session, business, client, booked.id, service=service.name, starts_at=starts_at,
                                            trainer=trainer.name, now=now, sender=runtime.mailer.sender)
                        emailed = True
                    done = _("Booked %(client)s for %(service)s on %(when)s with %(trainer)s.",
                             client=client.profile_name or client.phone_e164 or _("the client"), service=service.name,
                             when=when(starts_at, business.timezone, current_locale()), trainer=trainer.name)
        except DomainError as error:
            errors["form"] = words(error)
    if form is None or errors:
        return await _new_page(request, me, posted, errors, status=400)
    await request.app[RUNTIME].wake.deliver([form.client_id])
    if emailed:
        await runtime.wake.mail()
    if emailed and told is not None and not told.ok:
        flash(request, done + " " + _("WhatsApp cannot reach them now: a confirmation with a calendar invitation goes to their email."))
    elif told is not None and not told.ok:  # out of the 24-hour window, with no template to reach them
        flash(request, done)
        flash(request, not_told([told]), "warn")
    else:
        flash(request, done + " " + _("They were told in chat."))
    target = request.app.router["calendar"].url_for().with_query(week=form.day.isoformat(),
                                                                  trainer=posted.get("trainer") or "all")
    raise web.HTTPSeeOther(target)


async def _new_page(request: web.Request, me: Identity, values: Mapping[str, str], errors: dict[str, str], *,
                    status: int = 200) -> web.Response:
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        trainers = await panel_choices.trainers(session, business.id)
        staff_id = _trainer(me, values.get("trainer"), trainers)
        picked = values.get("client_id", "")
        clients = await panel_choices.clients(session, business.id, staff_id=staff_scope(me),
                                              query=values.get("client_q", ""), include=row_id_or_none(picked))
        services = await panel_choices.services(session, business.id, classes=False)
    day = day_or_none(values.get("day")) or local_today(runtime.clock.now(), business.timezone)
    return aiohttp_jinja2.render_template("admin/calendar_new.html", request, {
        "business": business, "trainers": trainers, "clients": clients, "services": services, "values": values,
        "errors": errors, "default_day": day, "staff_id": staff_id, "client_q": values.get("client_q", ""),
        "trainer_param": "all" if staff_id is None else str(staff_id),
    }, status=status)


def _trainer(me: Identity, text: str | None, trainers: list[panel_choices.Choice]) -> int | None:
    """Whose calendar: a trainer's own always; the owner's choice ('all' or nothing is everyone)."""
    if not me.is_owner:
        return staff_scope(me)
    if not text or text == "all":
        return None
    picked = row_id_or_none(text)
    if picked is None or picked not in {t.id for t in trainers}:
        raise web.HTTPNotFound()
    return picked
