"""Settings → Weekly hours and time off, per trainer: the owner edits; a trainer may look at their own."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.flash import flash
from admin.forms.hours import TimeOffForm, day_text, parse_week, weekday_names
from admin.i18n import _
from admin.identity import identity, require_owner
from admin.read_models import class_sessions
from admin.template_words import not_told
from admin.views.settings_routes import routes
from admin.views.settings_support import done, form_data, invalid, not_found_as_404, owner_form, row_id
from conversations.reach import Reach
from conversations.team_notices import tell
from domain.models import Business, Staff
from domain.people import staff_roster
from domain.scheduling import booking, catalog, weekly_hours
from runtime.keys import RUNTIME

PAGE = "admin/settings_hours.html"


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time typed in the business's zone, as aware UTC."""
    return moment.replace(tzinfo=zone).astimezone(UTC)


async def _context(request: web.Request, staff_id: int, **overrides: Any) -> dict[str, Any]:
    me = identity(request)
    if not me.is_owner and me.staff_id != staff_id:
        raise web.HTTPForbidden()
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            staff = await catalog.get_scoped(session, Staff, me.business_id, staff_id)
        business = await catalog.get_scoped(session, Business, me.business_id, me.business_id)
        blocks = await weekly_hours.weekly_blocks(session, me.business_id, staff_id)
        time_off = await weekly_hours.upcoming_time_off(session, me.business_id, staff_id, request.app[RUNTIME].clock.now())
        trainers = await staff_roster.staff_of(session, me.business_id, active_only=True) if me.is_owner else [staff]
    context = {
        "staff": staff, "trainers": trainers, "weekdays": weekday_names(), "zone": ZoneInfo(business.timezone),
        "days": {f"day{d}": day_text(blocks, d) for d in range(7)}, "time_off": time_off,
        "errors": {}, "off_values": {}, "off_errors": {}, "can_edit": me.is_owner, "hits": [],
    }
    context.update(overrides)
    return context


@routes.get("/admin/settings/hours", name="settings_hours")
async def hours_index(request: web.Request) -> web.Response:
    me = identity(request)
    if not me.is_owner:
        if me.staff_id is None:
            raise web.HTTPForbidden()
        raise web.HTTPFound(str(request.app.router["settings_hours_staff"].url_for(staff_id=str(me.staff_id))))
    async with request.app[RUNTIME].sessions() as session:
        trainers = await staff_roster.staff_of(session, me.business_id, active_only=True)
    if trainers:
        raise web.HTTPFound(str(request.app.router["settings_hours_staff"].url_for(staff_id=str(trainers[0].id))))
    return aiohttp_jinja2.render_template(PAGE, request, {"staff": None, "trainers": [], "can_edit": True})


@routes.get(r"/admin/settings/hours/{staff_id:\d+}", name="settings_hours_staff")
async def hours_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request, row_id(request, "staff_id")))


@routes.post(r"/admin/settings/hours/{staff_id:\d+}", name="settings_hours_save")
async def hours_save(request: web.Request) -> web.Response:
    me = require_owner(request)
    staff_id = row_id(request, "staff_id")
    data = await form_data(request)
    blocks, errors = parse_week(data)
    if not errors:
        try:
            async with request.app[RUNTIME].sessions.begin() as session:
                with not_found_as_404():
                    await weekly_hours.replace_weekly_hours(session, me.business_id, staff_id, blocks)
        except weekly_hours.HoursError as exc:
            errors = {f"day{exc.weekday}": f"{exc}."}
    if errors:
        days = {f"day{d}": data.get(f"day{d}", "") for d in range(7)}
        return invalid(PAGE, request, await _context(request, staff_id, days=days, errors=errors))
    raise done(request, _("Weekly hours saved."), "settings_hours_staff", staff_id=str(staff_id))


@routes.post(r"/admin/settings/hours/{staff_id:\d+}/time-off", name="settings_time_off_add")
async def time_off_add(request: web.Request) -> web.Response:
    """Time off; over booked sessions only once the owner chose to cancel them (each client told in chat)."""
    staff_id = row_id(request, "staff_id")
    me, data, form, errors = await owner_form(request, TimeOffForm)
    if form is None:
        return invalid(PAGE, request, await _context(request, staff_id, off_values=data, off_errors=errors))
    runtime = request.app[RUNTIME]
    told: list[Reach] = []
    async with runtime.sessions.begin() as session:
        business = await catalog.get_scoped(session, Business, me.business_id, me.business_id)
        zone, now = ZoneInfo(business.timezone), runtime.clock.now()
        starts, ends = _local(form.starts, zone), _local(form.ends, zone)
        with not_found_as_404():
            await catalog.get_scoped(session, Staff, me.business_id, staff_id)
        hits = [h for h in await weekly_hours.sessions_during(session, me.business_id, staff_id, starts, ends) if h.starts_at > now]
        if hits and data.get("hits") != "cancel":
            await session.rollback()
            context = await _context(request, staff_id, off_values=data, hits=hits)
            return aiohttp_jinja2.render_template(PAGE, request, context, status=409)
        await catalog.add_time_off(session, me.business_id, starts, ends, staff_id=staff_id, reason=form.reason)
        for hit in hits:
            told += await _cancel_for_time_off(session, business, hit, now, form.reason)
    await runtime.wake.deliver([r.client_id for r in told])
    missed = [r for r in told if not r.ok]  # queued, but outside the 24-hour window with no template to reach them
    said = (_("Time off added; sessions cancelled: %(cancelled)s, clients told in chat: %(told)s.", cancelled=len(hits),
              told=len(told) - len(missed)) if hits else _("Time off added."))
    added = done(request, said, "settings_hours_staff", staff_id=str(staff_id))
    if missed:
        flash(request, not_told(missed), "warn")
    raise added


async def _cancel_for_time_off(session: AsyncSession, business: Business, hit: weekly_hours.Hit, now: datetime,
                               reason: str | None) -> list[Reach]:
    """Cancel one session the time off falls on, as the studio (credits back); returns whether each client can be told."""
    if hit.kind == "class":
        outcome = await class_sessions.cancel_class(session, business.id, hit.appointment_id, now, reason=reason)
        told = [(c, refunded, "class_cancelled") for c, refunded in outcome.booked]
        told += [(c, False, "class_cancelled") for c in outcome.waiting]
    else:
        told = []
        for booking_id, client_id, _name in hit.bookings:
            outcome = await booking.cancel(session, business.id, booking_id, now, by="trainer", reason=reason)
            told.append((client_id, outcome.refunded, "team_cancelled"))
    reached = [await tell(session, business, client_id, now, message, {"reason": reason or ""}, service=hit.service,
                          when=hit.starts_at, refunded=refunded) for client_id, refunded, message in told]
    return [r for r in reached if r is not None]


@routes.post(r"/admin/settings/time-off/{time_off_id:\d+}/delete", name="settings_time_off_delete")
async def time_off_delete(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            off = await weekly_hours.remove_time_off(session, me.business_id, row_id(request, "time_off_id"))
    if off.staff_id is None:
        raise done(request, _("Closure removed."), "settings_hours")
    raise done(request, _("Time off removed."), "settings_hours_staff", staff_id=str(off.staff_id))
