"""Settings → Message templates: the business's approved WhatsApp templates; owner only."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.forms.message_templates import TemplateForm
from admin.i18n import _, language_name
from admin.identity import require_owner
from admin.scope import business_of
from admin.template_words import used_for, variable
from admin.views.settings_routes import routes
from admin.views.settings_support import done, invalid, not_found_as_404, owner_form, row_id, toggle_active
from conversations.template_catalogue import NeededTemplate, needed_templates
from conversations.texts import LOCALES
from domain.messaging import message_templates
from domain.models import MessageTemplate
from domain.scheduling import catalog
from runtime.keys import RUNTIME

PAGE = "admin/settings_templates.html"


async def _context(request: web.Request, *, editing: int | None = None, values: dict[str, Any] | None = None,
                   errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        templates = await message_templates.templates_of(session, me.business_id)
        business = await business_of(session, me)
        if editing is not None and values is None:
            with not_found_as_404():
                t = await catalog.get_scoped(session, MessageTemplate, me.business_id, editing)
            values = {"name": t.name, "language": t.language, "purpose": t.purpose, "variables": ", ".join(t.variables)}
    needed = needed_templates(business.reminder_template)
    listed = [(t, [u.language for u in templates if u.name == t.name and u.active]) for t in needed]
    return {"templates": templates, "editing": editing, "purposes": message_templates.PURPOSES,
            "needed": listed, "used_for": used_for, "language": business.locale.replace("-", "_"),
            "wording": [_wording(t, languages) for t, languages in listed],
            "values": values or _prefilled(needed, request.query.get("use")), "errors": errors or {}}


def _wording(t: NeededTemplate, languages: list[str]) -> dict[str, Any]:
    """What to paste into Meta for one template: its body in each language the bot speaks, and its variables."""
    return {"t": t, "used_for": used_for(t), "languages": languages,
            "variables": [(i, name, variable(name)) for i, name in enumerate(t.variables, 1)],
            "bodies": [(language_name(locale), locale.replace("-", "_"), t.body(locale), t.button_titles(locale))
                       for locale in LOCALES]}


def _prefilled(needed: list[NeededTemplate], name: str | None) -> dict[str, Any]:
    """The add form, filled in for one of the templates FitZap sends (`?use=<name>`), else blank."""
    wanted = next((t for t in needed if t.name == name), None)
    if wanted is None:
        return {"language": "pt_BR", "purpose": "reminder"}
    return {"name": wanted.name, "language": "pt_BR", "purpose": wanted.purpose, "variables": ", ".join(wanted.variables)}


@routes.get("/admin/settings/templates", name="settings_templates")
async def templates_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request))


@routes.get(r"/admin/settings/templates/{template_id:\d+}", name="settings_template")
async def template_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request, editing=row_id(request, "template_id")))


@routes.post("/admin/settings/templates", name="settings_templates_add")
@routes.post(r"/admin/settings/templates/{template_id:\d+}", name="settings_template_save")
async def template_save(request: web.Request) -> web.Response:
    template_id = row_id(request, "template_id") if "template_id" in request.match_info else None
    me, data, form, errors = await owner_form(request, TemplateForm)
    if form is not None:
        try:
            async with request.app[RUNTIME].sessions.begin() as session:
                with not_found_as_404():
                    await message_templates.save_template(
                        session, me.business_id, request.app[RUNTIME].clock.now(), name=form.name, language=form.language,
                        purpose=form.purpose, variables=form.variable_list, template_id=template_id)
        except message_templates.TemplateExists:
            errors = {"name": _("There is already a template %(name)s in %(language)s.", name=form.name,
                                language=form.language)}
        else:
            raise done(request, _("Template %(name)s (%(language)s) saved.", name=form.name, language=form.language),
                       "settings_templates")
    return invalid(PAGE, request, await _context(request, editing=template_id, values=data, errors=errors))


@routes.post(r"/admin/settings/templates/{template_id:\d+}/active", name="settings_template_active")
async def template_active(request: web.Request) -> web.Response:
    t = await toggle_active(request, MessageTemplate, "template_id")
    said = (_("Template %(name)s (%(language)s) back in use.", name=t.name, language=t.language) if t.active else
            _("Template %(name)s (%(language)s) no longer used.", name=t.name, language=t.language))
    raise done(request, said, "settings_templates")
