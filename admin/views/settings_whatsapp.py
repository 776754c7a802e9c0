"""Settings → WhatsApp connection: the number, the business's own token (never shown back) and the webhook."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.forms.settings import WhatsAppForm
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import public_origin
from admin.views.settings_routes import routes
from admin.views.settings_support import done, invalid, owner_form
from domain.messaging import secret_box
from domain.models import Business
from domain.people import business_settings
from domain.scheduling.catalog import get_scoped
from runtime.keys import RUNTIME, SETTINGS

PAGE = "admin/settings_whatsapp.html"


def _secret_key(request: web.Request) -> str:
    return request.app[SETTINGS].secret_key.get_secret_value()


async def _context(request: web.Request, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await get_scoped(session, Business, me.business_id, me.business_id)
    token = secret_box.unseal(_secret_key(request), business.whatsapp_token_encrypted)
    return {
        "values": values if values is not None else {"phone_number_id": business.phone_number_id,
                                                     "display_phone_number": f"+{business.display_phone_number}"
                                                     if business.display_phone_number else ""},
        "errors": errors or {},
        "token_mask": secret_box.masked(token),
        "token_unreadable": bool(business.whatsapp_token_encrypted) and token is None,
        "app_secret_mask": secret_box.masked(secret_box.unseal(_secret_key(request), business.whatsapp_app_secret_encrypted)),
        "webhook_url": f"{public_origin(request)}/webhooks/whatsapp",
        "verify_token": request.app[SETTINGS].whatsapp_verify_token.get_secret_value(),
    }


@routes.get("/admin/settings/whatsapp", name="settings_whatsapp")
async def whatsapp_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request))


@routes.post("/admin/settings/whatsapp", name="settings_whatsapp_save")
async def whatsapp_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, WhatsAppForm)
    if form is not None:
        try:
            async with request.app[RUNTIME].sessions.begin() as session:
                await business_settings.set_whatsapp(session, me.business_id, _secret_key(request), **form.model_dump())
        except business_settings.PhoneNumberTaken:
            taken = _("That phone number id is already connected to another business. Check the id in Meta's API Setup page.")
            errors = {"phone_number_id": taken}
        else:
            raise done(request, _("WhatsApp connection saved."), "settings_whatsapp")
    data.pop("access_token", None)  # a typed token or secret is never echoed back into the page
    data.pop("app_secret", None)
    return invalid(PAGE, request, await _context(request, data, errors))


@routes.post("/admin/settings/whatsapp/forget-token", name="settings_whatsapp_forget")
async def forget_token(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        await business_settings.forget_whatsapp_token(session, me.business_id)
    raise done(request, _("The business's own token and app secret were removed; messages use the platform's app."),
               "settings_whatsapp")
