"""Win-back campaigns (owners): the list and a new campaign's form; each campaign's settings (editable while a draft), its start and
finish buttons, and its report (treated against holdout, the uplift with its 95% interval, the members kept)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.forms.campaigns import CampaignForm, blank_values, campaign_values, window_text
from admin.forms.form_errors import validate
from admin.identity import require_owner
from admin.page_support import business_of, local_time
from admin.read_models.campaigns import campaign_rows
from admin.views.settings_support import done, form_data, not_found_as_404, row_id
from domain.messaging.message_templates import templates_of
from domain.retention import campaigns
from domain.retention.campaign_report import campaign_report
from runtime.keys import RUNTIME

routes = web.RouteTableDef()

LIST_PAGE = "admin/campaigns.html"
DETAIL_PAGE = "admin/campaign.html"


@routes.get("/admin/campaigns", name="campaigns")
async def campaigns_page(request: web.Request) -> web.Response:
    require_owner(request)
    return await _render_list(request)


@routes.post("/admin/campaigns", name="campaign_add")
async def campaign_add(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]

    async def save(session: AsyncSession, settings: campaigns.CampaignSettings) -> str:
        campaign = await campaigns.create_campaign(session, me.business_id, settings, runtime.clock.now())
        return str(campaign.id)
    return await _save(request, save, _render_list, "saved as a draft")


@routes.post(r"/admin/campaigns/{campaign_id:\d+}/edit", name="campaign_edit")
async def campaign_edit(request: web.Request) -> web.Response:
    me = require_owner(request)

    async def save(session: AsyncSession, settings: campaigns.CampaignSettings) -> str:
        with not_found_as_404():
            await campaigns.update_campaign(session, me.business_id, row_id(request, "campaign_id"), settings)
        return request.match_info["campaign_id"]
    return await _save(request, save, _render_detail, "saved")


async def _save(request: web.Request, save: Callable[[AsyncSession, campaigns.CampaignSettings], Awaitable[str]],
                render: Callable[..., Awaitable[web.Response]], said: str) -> web.Response:
    """The campaign form, checked, then saved by `save`; a refusal renders the form again with its error."""
    data = await form_data(request)
    data["book_button"] = data.get("book_button") == "on"
    form, errors = validate(CampaignForm, data)
    if form is None:
        return await render(request, values=data, errors=errors, status=400)
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            campaign_id = await save(session, form.settings())
    except campaigns.InvalidCampaign as error:
        return await render(request, values=data, errors={_field(error): str(error)}, status=400)
    raise done(request, f"Campaign {form.name} {said}.", "campaign", campaign_id=campaign_id)


def _field(error: campaigns.InvalidCampaign) -> str:
    """The form field a domain refusal is about."""
    return {"template_name": "template", "send_from_min": "send_from", "send_until_min": "send_until"}.get(error.field, error.field)


@routes.get(r"/admin/campaigns/{campaign_id:\d+}", name="campaign")
async def campaign_page(request: web.Request) -> web.Response:
    require_owner(request)
    return await _render_detail(request)


@routes.post(r"/admin/campaigns/{campaign_id:\d+}/start", name="campaign_start")
async def campaign_start(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)  # the CSRF check has read it; nothing else is posted
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                started = await campaigns.start_campaign(session, me.business_id, row_id(request, "campaign_id"),
                                                         runtime.clock.now())
    except campaigns.InvalidCampaign as error:
        return await _render_detail(request, errors={"start": str(error)}, status=400)
    raise done(request, f"Campaign started: {started.treated} to message over {started.days} day(s), "
                        f"{started.holdout} kept aside as the holdout.", "campaign", campaign_id=request.match_info["campaign_id"])


@routes.post(r"/admin/campaigns/{campaign_id:\d+}/finish", name="campaign_finish")
async def campaign_finish(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await campaigns.finish_campaign(session, me.business_id, row_id(request, "campaign_id"), runtime.clock.now())
    except campaigns.InvalidCampaign as error:
        return await _render_detail(request, errors={"start": str(error)}, status=400)
    raise done(request, "Campaign finished: no more messages go out; its report keeps counting.", "campaign",
               campaign_id=request.match_info["campaign_id"])


async def _render_list(request: web.Request, *, values: Mapping[str, Any] | None = None,
                       errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        rows = await campaign_rows(session, me.business_id)
        templates = await _template_choices(session, me.business_id)
    ctx = {"rows": rows, "values": values if values is not None else blank_values(), "errors": errors or {},
           "segments": campaigns.SEGMENTS, "at": local_time(business.timezone), "templates": templates}
    return aiohttp_jinja2.render_template(LIST_PAGE, request, ctx, status=status)


async def _render_detail(request: web.Request, *, values: Mapping[str, Any] | None = None,
                         errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        with not_found_as_404():
            report = await campaign_report(session, me.business_id, row_id(request, "campaign_id"), runtime.clock.now())
        templates = await _template_choices(session, me.business_id)
    ctx = {"r": report, "c": report.campaign, "errors": errors or {}, "segments": campaigns.SEGMENTS,
           "values": values if values is not None else campaign_values(report.campaign), "templates": templates,
           "at": local_time(business.timezone), "clock": window_text}
    return aiohttp_jinja2.render_template(DETAIL_PAGE, request, ctx, status=status)


async def _template_choices(session: AsyncSession, business_id: int) -> list[tuple[str, str]]:
    return [(f"{t.name}|{t.language}", f"{t.name} ({t.language})") for t in await templates_of(session, business_id) if t.active]
