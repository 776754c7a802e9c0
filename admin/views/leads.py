"""The leads page: the pipeline (lead → trial booked → trial attended → member) and each source's conversion for
staff; owners add a lead by phone, mark one lost, make link codes (with the wa.me link to share) and pick the
service first contacts are offered as a trial class."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web
from pydantic import ValidationError

from admin.forms.clients import ClientForm
from admin.forms.form_errors import validate
from admin.forms.leads import LeadCodeForm, LeadLostForm, TrialServiceForm
from admin.i18n import _
from admin.identity import identity, require_owner
from admin.page_support import business_of, form_errors, local_time
from admin.read_models.lead_pipeline import lead_pipeline
from admin.views.settings_support import done, form_data, not_found_as_404, row_id
from domain.models import Business, LeadCode
from domain.people import leads
from domain.people.phones import region_of
from domain.scheduling import catalog
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
PAGE = "admin/leads.html"
# What a wa.me link makes the client send, in the business's language: the code says where they came from.
LINK_TEXT = {"pt-BR": "Quero uma aula experimental (código {code})", "en": "I'd like a trial class (code {code})"}


def wa_link(business: Business, code: LeadCode) -> str | None:
    """The wa.me link that opens the business's chat with the code's message typed; None without a known number."""
    digits = "".join(ch for ch in business.display_phone_number or "" if ch.isdigit())
    if not digits:
        return None
    text = LINK_TEXT.get(business.locale, LINK_TEXT["pt-BR"]).format(code=code.code)
    return f"https://wa.me/{digits}?text={quote(text)}"


async def _render(request: web.Request, *, status: int = 200, **overrides: Any) -> web.Response:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        board = await lead_pipeline(session, me.business_id)
        codes = await leads.codes_of(session, me.business_id)
        services = await catalog.active_services(session, me.business_id) if me.is_owner else []
        trial = await leads.trial_service(session, business)
    context: dict[str, Any] = {
        "board": board, "codes": [(c, wa_link(business, c)) for c in codes], "services": services,
        "trial": trial, "at": local_time(business.timezone), "lead_form": {"locale": business.locale}, "lead_errors": {},
        "code_form": {}, "code_errors": {}, "sources": source_words(), "stage_names": stage_words(),
    }
    context.update(overrides)
    return aiohttp_jinja2.render_template(PAGE, request, context, status=status)


@routes.get("/admin/leads", name="leads")
async def leads_page(request: web.Request) -> web.Response:
    return await _render(request)


@routes.post("/admin/leads", name="lead_add")
async def lead_add(request: web.Request) -> web.Response:
    """A lead typed in by phone (owners): a new client with source `typed`."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    raw = await form_data(request)
    try:
        async with runtime.sessions.begin() as session:
            business = await business_of(session, me)
            form = ClientForm.model_validate(raw, context={"region": region_of(business.locale)})
            await leads.add_typed(session, me.business_id, phone=form.phone, name=form.name or None, locale=form.locale,
                                  added_by=me.name, now=runtime.clock.now())
    except ValidationError as exc:
        return await _render(request, status=400, lead_form=raw, lead_errors=form_errors(exc))
    except leads.AlreadyClient as exc:
        said = _("%(phone)s is already one of your clients or leads.", phone=str(exc))
        return await _render(request, status=400, lead_form=raw, lead_errors={"phone": said})
    raise done(request, _("Lead %(name)s added.", name=form.name or form.phone), "leads")


@routes.post(r"/admin/leads/{lead_id:\d+}/lost", name="lead_lost")
async def lead_lost(request: web.Request) -> web.Response:
    """Mark a lead lost, or back in the pipeline (owners; another business's lead is 404)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    form, _errors = validate(LeadLostForm, await form_data(request))
    if form is None:
        raise web.HTTPBadRequest(text="lost must be 0 or 1")
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            await leads.set_lost(session, me.business_id, row_id(request, "lead_id"), form.lost == "1", runtime.clock.now())
    raise done(request, _("Lead marked lost.") if form.lost == "1" else _("Lead back in the pipeline."), "leads")


@routes.post("/admin/leads/codes", name="lead_code_add")
async def code_add(request: web.Request) -> web.Response:
    """A new link code (owners)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    data = await form_data(request)
    form, errors = validate(LeadCodeForm, data)
    if form is None:
        return await _render(request, status=400, code_form=data, code_errors=errors)
    try:
        async with runtime.sessions.begin() as session:
            await leads.add_code(session, me.business_id, form.code, form.label, runtime.clock.now())
    except leads.DuplicateCode:
        said = _("You already have the code %(code)s.", code=form.code)
        return await _render(request, status=400, code_form=data, code_errors={"code": said})
    raise done(request, _("Code %(code)s added: share its link.", code=form.code), "leads")


@routes.post(r"/admin/leads/codes/{code_id:\d+}/archive", name="lead_code_archive")
async def code_archive(request: web.Request) -> web.Response:
    """Stop reading a code in new messages (owners; another business's code is 404)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            code = await leads.archive_code(session, me.business_id, row_id(request, "code_id"), runtime.clock.now())
    raise done(request, _("Code %(code)s archived.", code=code.code), "leads")


@routes.post("/admin/leads/trial", name="lead_trial_service")
async def trial_service(request: web.Request) -> web.Response:
    """The service offered as a trial class to first contacts; none stops the offer (owners; another business's is 404)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    form, _errors = validate(TrialServiceForm, await form_data(request))
    if form is None:
        raise web.HTTPBadRequest(text="pick a service from the list")
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            service = await leads.set_trial_service(session, me.business_id, form.service_id)
    said = (_("First contacts are now offered a trial class of %(service)s.", service=service.name) if service
            else _("First contacts are no longer offered a trial class."))
    raise done(request, said, "leads")


def source_words() -> Mapping[str, str]:
    """Each source kind as staff read it, in the panel's language."""
    return {"ad": _("Ad"), "link": _("Link code"), "typed": _("Typed in"), "organic": _("Wrote on their own"),
            "all": _("All sources")}


def stage_words() -> Mapping[str, str]:
    return {"new": _("Lead"), "trial_booked": _("Trial booked"), "trial_attended": _("Trial attended"),
            "member": _("Member"), "lost": _("Lost")}
