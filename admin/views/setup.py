"""The setup checklist (owner only): what is done and what is still missing before clients can use the studio in
WhatsApp, with the values to paste into Meta's dashboard. A studio that signed up lands here."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from admin.identity import require_owner
from admin.page_support import business_of, public_origin
from admin.read_models.setup_checklist import checklist
from runtime.keys import RUNTIME, SETTINGS

routes = web.RouteTableDef()


@routes.get("/admin/setup", name="setup")
async def setup_page(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        steps = await checklist(session, business)
    context = {"business": business, "checklist": steps, "welcome": "welcome" in request.query,
               "webhook_url": f"{public_origin(request)}/webhooks/whatsapp",
               "verify_token": request.app[SETTINGS].whatsapp_verify_token.get_secret_value(),
               "url_of": lambda route: str(request.app.router[route].url_for())}
    return aiohttp_jinja2.render_template("admin/setup.html", request, context)
