"""Settings → Automated messages (owner only): reminders, follow-ups and quiet hours."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from admin.forms.automation import AutomationForm, form_values
from admin.identity import require_owner
from admin.views.settings_routes import routes
from admin.views.settings_support import done, invalid, owner_form
from bot.keys import RUNTIME
from domain import business_settings
from domain.catalog import get_scoped
from domain.models import Business

PAGE = "admin/settings_automation.html"


@routes.get("/admin/settings/automation", name="settings_automation")
async def automation_page(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await get_scoped(session, Business, me.business_id, me.business_id)
    return aiohttp_jinja2.render_template(PAGE, request, {"values": form_values(business), "errors": {}})


@routes.post("/admin/settings/automation", name="settings_automation_save")
async def automation_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, AutomationForm)
    if form is None:
        return invalid(PAGE, request, {"values": data, "errors": errors})
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.update(session, me.business_id, form.business_values(), business_settings.AUTOMATION_FIELDS)
    raise done(request, "Automated messages saved. New times apply to sessions booked from now on.", "settings_automation")
