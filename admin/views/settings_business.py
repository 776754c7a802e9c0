"""Settings → Business (profile, check-in), Policies (booking rules) and Automated messages; owner only."""
from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
import segno
from aiohttp import web

from admin.forms.automation import AutomationForm, form_values
from admin.forms.settings import BusinessForm, PoliciesForm, zone_choices
from admin.i18n import _
from admin.identity import require_owner
from admin.views.settings_routes import routes
from admin.views.settings_support import done, invalid, owner_form
from domain.models import Business
from domain.people import business_settings
from domain.scheduling.catalog import get_scoped
from runtime.keys import RUNTIME

BUSINESS_PAGE = "admin/settings_business.html"
POLICIES_PAGE = "admin/settings_policies.html"
AUTOMATION_PAGE = "admin/settings_automation.html"


async def _business(request: web.Request) -> Business:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        return await get_scoped(session, Business, me.business_id, me.business_id)


def _zones(current: str) -> list[tuple[str, str]]:
    """The zones to pick from, with the business's own first when the list leaves it out ("UTC"): never changed
    by saving the page."""
    choices = zone_choices()
    return choices if not current or any(z == current for z, _label in choices) else [(current, current), *choices]


def _values(business: Business, fields: frozenset[str]) -> dict[str, Any]:
    return {name: getattr(business, name) for name in fields}


@routes.get("/admin/settings", name="settings")
async def business_page(request: web.Request) -> web.Response:
    business = await _business(request)
    context = {"business": business, "values": _values(business, business_settings.PROFILE_FIELDS), "errors": {},
               "zones": _zones(business.timezone)}
    return aiohttp_jinja2.render_template(BUSINESS_PAGE, request, context)


@routes.post("/admin/settings", name="settings_business_save")
async def business_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, BusinessForm)
    if form is None:
        return invalid(BUSINESS_PAGE, request, {"business": await _business(request), "values": data, "errors": errors,
                                                "zones": _zones(str(data.get("timezone", "")))})
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.update(session, me.business_id, form.model_dump(), business_settings.PROFILE_FIELDS)
    raise done(request, _("Business details saved."), "settings")


@routes.post("/admin/settings/checkin-code", name="settings_checkin_code")
async def checkin_code(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.regenerate_checkin_code(session, me.business_id)
    raise done(request, _("New check-in code made: print the new QR poster; the old one no longer works."), "settings")


@routes.get("/admin/settings/checkin-qr.svg", name="settings_checkin_qr")
async def checkin_qr(request: web.Request) -> web.Response:
    """The check-in code as a QR image to print: the link that opens the chat with the code typed in, or the code."""
    business = await _business(request)
    if not business.checkin_code:
        raise web.HTTPNotFound(text=_("No check-in code yet: make one on the Settings page."))
    image = io.BytesIO()
    segno.make(checkin_text(business), error="m").save(image, kind="svg", scale=10, border=2, title="Check-in")
    return web.Response(body=image.getvalue(), content_type="image/svg+xml")


def checkin_text(business: Business) -> str:
    """What the QR code holds: a wa.me link with the code when the number is known, else the code alone."""
    code = business.checkin_code or ""
    if business.display_phone_number:
        digits = "".join(c for c in business.display_phone_number if c.isdigit())
        return f"https://wa.me/{digits}?text={quote(code)}"
    return code


@routes.get("/admin/settings/policies", name="settings_policies")
async def policies_page(request: web.Request) -> web.Response:
    business = await _business(request)
    context = {"values": _values(business, business_settings.POLICY_FIELDS), "errors": {}}
    return aiohttp_jinja2.render_template(POLICIES_PAGE, request, context)


@routes.post("/admin/settings/policies", name="settings_policies_save")
async def policies_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, PoliciesForm)
    if form is None:
        return invalid(POLICIES_PAGE, request, {"values": data, "errors": errors})
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.update(session, me.business_id, form.model_dump(), business_settings.POLICY_FIELDS)
    raise done(request, _("Booking policies saved."), "settings_policies")


@routes.get("/admin/settings/automation", name="settings_automation")
async def automation_page(request: web.Request) -> web.Response:
    business = await _business(request)
    return aiohttp_jinja2.render_template(AUTOMATION_PAGE, request, {"values": form_values(business), "errors": {}})


@routes.post("/admin/settings/automation", name="settings_automation_save")
async def automation_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, AutomationForm)
    if form is None:
        return invalid(AUTOMATION_PAGE, request, {"values": data, "errors": errors})
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.update(session, me.business_id, form.business_values(), business_settings.AUTOMATION_FIELDS)
    raise done(request, _("Automated messages saved. New times apply to sessions booked from now on."), "settings_automation")
