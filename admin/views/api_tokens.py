"""The API tokens page (owner only): make a token (its secret shown once), see each one's last use, revoke one."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.forms.api_tokens import ApiTokenForm
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import business_of, local_time
from admin.plan_words import refusal
from admin.views.settings_support import done, invalid, not_found_as_404, owner_form, row_id
from domain.platform import api_tokens, plans
from domain.platform.plans import PlanLimitReached
from runtime.keys import RUNTIME
from runtime.token_stamp import tokens_changed

routes = web.RouteTableDef()
PAGE = "admin/api_tokens.html"


async def _context(request: web.Request, **overrides: Any) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        tokens = await api_tokens.tokens_of(session, me.business_id)
        business = await business_of(session, me)
    context: dict[str, Any] = {"tokens": tokens, "api_access": plans.plan_of(business).api_access,
                               "at": local_time(business.timezone), "values": {"scope": "read"},
                               "errors": {}, "new_token": None, "new_secret": None}
    context.update(overrides)
    return context


@routes.get("/admin/api-tokens", name="api_tokens")
async def tokens_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request))


@routes.post("/admin/api-tokens", name="api_token_add")
async def token_add(request: web.Request) -> web.Response:
    """Make the token and show its secret on this answer only: it is stored as a hash and cannot be shown again."""
    me, data, form, errors = await owner_form(request, ApiTokenForm)
    if form is None:
        return invalid(PAGE, request, await _context(request, values=data, errors=errors))
    runtime = request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            made = await api_tokens.create_token(session, me.business_id, form.name, form.scope, runtime.clock.now())
    except PlanLimitReached as error:
        return invalid(PAGE, request, await _context(request, values=data, errors={"name": refusal(error)}))
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request, new_token=made.token, new_secret=made.secret))


@routes.post(r"/admin/api-tokens/{token_id:\d+}/revoke", name="api_token_revoke")
async def token_revoke(request: web.Request) -> web.Response:
    me = require_owner(request)
    runtime = request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            token = await api_tokens.revoke(session, me.business_id, row_id(request, "token_id"), runtime.clock.now())
    await tokens_changed(runtime.redis)  # API processes drop the tokens they keep: this one fails from the next request
    raise done(request, _("Token %(name)s revoked: it no longer works.", name=token.name), "api_tokens")
