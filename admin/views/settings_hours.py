"""Settings → Weekly hours and time off, per trainer: the owner edits; a trainer may look at their own."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from admin.forms.hours import TimeOffForm, day_text, parse_week
from admin.identity import identity, require_owner
from admin.views.settings_routes import routes
from admin.views.settings_support import done, form_data, invalid, not_found_as_404, owner_form, row_id
from domain.models import Business, Staff
from domain.people import staff_roster
from domain.scheduling import catalog, weekly_hours
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
        "staff": staff, "trainers": trainers, "weekdays": weekly_hours.WEEKDAYS, "zone": ZoneInfo(business.timezone),
        "days": {f"day{d}": day_text(blocks, d) for d in range(7)}, "time_off": time_off,
        "errors": {}, "off_values": {}, "off_errors": {}, "can_edit": me.is_owner,
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
    raise done(request, "Weekly hours saved.", "settings_hours_staff", staff_id=str(staff_id))


@routes.post(r"/admin/settings/hours/{staff_id:\d+}/time-off", name="settings_time_off_add")
async def time_off_add(request: web.Request) -> web.Response:
    staff_id = row_id(request, "staff_id")
    me, data, form, errors = await owner_form(request, TimeOffForm)
    if form is None:
        return invalid(PAGE, request, await _context(request, staff_id, off_values=data, off_errors=errors))
    async with request.app[RUNTIME].sessions.begin() as session:
        business = await catalog.get_scoped(session, Business, me.business_id, me.business_id)
        zone = ZoneInfo(business.timezone)
        with not_found_as_404():
            await catalog.add_time_off(session, me.business_id, _local(form.starts, zone), _local(form.ends, zone),
                                       staff_id=staff_id, reason=form.reason)
    raise done(request, "Time off added.", "settings_hours_staff", staff_id=str(staff_id))


@routes.post(r"/admin/settings/time-off/{time_off_id:\d+}/delete", name="settings_time_off_delete")
async def time_off_delete(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            off = await weekly_hours.remove_time_off(session, me.business_id, row_id(request, "time_off_id"))
    if off.staff_id is None:
        raise done(request, "Closure removed.", "settings_hours")
    raise done(request, "Time off removed.", "settings_hours_staff", staff_id=str(off.staff_id))
