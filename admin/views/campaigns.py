"""Win-back campaigns (owners): the list and a new campaign's form; each campaign's settings (editable while a draft), its start and
finish buttons, and its report (treated against holdout, the uplift with its 95% interval, the members kept)."""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from admin.domain_words import word
from admin.forms.campaigns import CampaignForm, blank_values, campaign_values, window_text
from admin.forms.form_errors import validate
from admin.i18n import _, current_locale, ngettext
from admin.identity import require_owner
from admin.page_support import business_of, local_time
from admin.plan_words import refusal
from admin.read_models.campaigns import campaign_rows
from admin.views.settings_support import done, form_data, not_found_as_404, row_id
from domain.messaging.message_templates import templates_of
from domain.platform.plans import PlanLimitReached
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
    return await _save(request, save, _render_list, lambda name: _("Campaign %(name)s saved as a draft.", name=name))


@routes.post(r"/admin/campaigns/{campaign_id:\d+}/edit", name="campaign_edit")
async def campaign_edit(request: web.Request) -> web.Response:
    me = require_owner(request)

    async def save(session: AsyncSession, settings: campaigns.CampaignSettings) -> str:
        with not_found_as_404():
            await campaigns.update_campaign(session, me.business_id, row_id(request, "campaign_id"), settings)
        return request.match_info["campaign_id"]
    return await _save(request, save, _render_detail, lambda name: _("Campaign %(name)s saved.", name=name))


async def _save(request: web.Request, save: Callable[[AsyncSession, campaigns.CampaignSettings], Awaitable[str]],
                render: Callable[..., Awaitable[web.Response]], said: Callable[[str], str]) -> web.Response:
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
        return await render(request, values=data, errors={_field(error): _refusal(error)}, status=400)
    raise done(request, said(form.name), "campaign", campaign_id=campaign_id)


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
        return await _render_detail(request, errors={"start": _refusal(error)}, status=400)
    except PlanLimitReached as error:
        return await _render_detail(request, errors={"start": refusal(error)}, status=400)
    raise done(request, ngettext("Campaign started: %(treated)s to message over %(num)s day, %(holdout)s kept aside as the holdout.",
                                 "Campaign started: %(treated)s to message over %(num)s days, %(holdout)s kept aside as the holdout.",
                                 started.days, treated=started.treated, holdout=started.holdout),
               "campaign", campaign_id=request.match_info["campaign_id"])


@routes.post(r"/admin/campaigns/{campaign_id:\d+}/finish", name="campaign_finish")
async def campaign_finish(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await campaigns.finish_campaign(session, me.business_id, row_id(request, "campaign_id"), runtime.clock.now())
    except campaigns.InvalidCampaign as error:
        return await _render_detail(request, errors={"start": _refusal(error)}, status=400)
    raise done(request, _("Campaign finished: no more messages go out; its report keeps counting."), "campaign",
               campaign_id=request.match_info["campaign_id"])


async def _render_list(request: web.Request, *, values: Mapping[str, Any] | None = None,
                       errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        rows = await campaign_rows(session, me.business_id)
        templates = await _template_choices(session, me.business_id)
    ctx = {"rows": rows, "values": values if values is not None else blank_values(), "errors": errors or {},
           "at": local_time(business.timezone), "templates": templates, **_words()}
    return aiohttp_jinja2.render_template(LIST_PAGE, request, ctx, status=status)


async def _render_detail(request: web.Request, *, values: Mapping[str, Any] | None = None,
                         errors: Mapping[str, str] | None = None, status: int = 200) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        with not_found_as_404():
            report = await campaign_report(session, me.business_id, row_id(request, "campaign_id"), runtime.clock.now())
        templates = await _template_choices(session, me.business_id)
    ctx = {"r": report, "c": report.campaign, "errors": errors or {},
           "values": values if values is not None else campaign_values(report.campaign), "templates": templates,
           "at": local_time(business.timezone), "clock": window_text, **_words()}
    return aiohttp_jinja2.render_template(DETAIL_PAGE, request, ctx, status=status)


def _words() -> dict[str, Any]:
    """What the campaign pages say machine values and figures with, in the request's language."""
    return {"word": word, "segment_choices": [(key, word("segment", key)) for key in campaigns.SEGMENTS],
            "pct": _percent, "points": _points}


def _one_decimal(value: float, pattern: str = "#,##0.0") -> str:
    return format_decimal(value, format=pattern, locale=current_locale().replace("-", "_"))


def _percent(rate: float | None) -> str:
    """A conversion rate as "50.0%" ("50,0%" in pt-BR); "—" for none."""
    return "—" if rate is None else f"{_one_decimal(rate * 100)}%"


def _points(difference: float) -> str:
    """A difference of rates in percentage points, signed: "+25.0 pts"."""
    return _("%(points)s pts", points=_one_decimal(difference * 100, "+#,##0.0;-#,##0.0"))


_RANGE = re.compile(r"Must be from (\d+) to (\d+)\.")
_UP_TO = re.compile(r"(Give the campaign a name|Write the message), up to (\d+) characters\.")


def _refusal(error: campaigns.InvalidCampaign) -> str:
    """The rule's refusal in the request's language (as the rule says it when the panel does not know it)."""
    text = str(error)
    known = {
        "Write a variable as {first_name} or {business}; a lone { or } is not allowed.":
            _("Write a variable as {first_name} or {business}; a lone { or } is not allowed."),
        "Use only the variables {first_name} and {business}.": _("Use only the variables {first_name} and {business}."),
        "A started campaign cannot be changed: its members and messages were planned from these settings. "
        "Finish it and make a new one.":
            _("A started campaign cannot be changed: its members and messages were planned from these settings. "
              "Finish it and make a new one."),
        "This campaign has already started.": _("This campaign has already started."),
        "The send window lies wholly inside the quiet hours: nothing could be sent.":
            _("The send window lies wholly inside the quiet hours: nothing could be sent."),
        "Only a running campaign can be finished.": _("Only a running campaign can be finished."),
        "Pick one from the list.": _("Pick one from the list."),
        "Say how high a member's risk must be (at least 1%).": _("Say how high a member's risk must be (at least 1%)."),
        "The send window must end after it starts, on the same day.":
            _("The send window must end after it starts, on the same day."),
        "Pick one of the business's approved templates.": _("Pick one of the business's approved templates."),
        "Pick one of the business's approved templates (Settings → Templates).":
            _("Pick one of the business's approved templates (Settings → Templates)."),
    }.get(text)
    if known is not None:
        return known
    if (found := _RANGE.fullmatch(text)) is not None:
        return _("Must be from %(low)s to %(high)s.", low=found[1], high=found[2])
    if (found := _UP_TO.fullmatch(text)) is not None:
        if found[1] == "Write the message":
            return _("Write the message, up to %(count)s characters.", count=found[2])
        return _("Give the campaign a name of up to %(count)s characters.", count=found[2])
    return text


async def _template_choices(session: AsyncSession, business_id: int) -> list[tuple[str, str]]:
    return [(f"{t.name}|{t.language}", f"{t.name} ({t.language})") for t in await templates_of(session, business_id) if t.active]
