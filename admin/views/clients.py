"""The clients pages: a searchable list, add by phone, and the client page (edit, notes, deactivate)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import aiohttp_jinja2
from aiohttp import web
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from admin.domain_words import word
from admin.flash import flash
from admin.forms.clients import ActiveForm, ClientForm, NoteForm
from admin.forms.settings import known_zones
from admin.i18n import _
from admin.identity import Identity, identity, require_owner
from admin.page_support import business_of, form_errors, local_time, page_number, staff_scope
from admin.read_models.at_risk import risk_history
from admin.read_models.client_directory import get_visible, list_clients
from admin.read_models.client_profile import client_profile
from admin.read_models.client_training import client_training
from admin.views.leads import source_words, stage_words
from domain.errors import NotFound
from domain.models import Client
from domain.people import client_records, leads
from domain.people.phones import region_of
from domain.training import measurements
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/clients", name="clients")
async def client_list(request: web.Request) -> web.Response:
    return await _render_list(request)


@routes.post("/admin/clients", name="client_add")
async def client_add(request: web.Request) -> web.Response:
    """Add a client by phone (owners); a bad or taken number re-shows the form with the reason."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    raw = dict(await request.post())
    try:
        async with runtime.sessions.begin() as session:
            business = await business_of(session, me)
            form = ClientForm.model_validate(raw, context={"region": region_of(business.locale)})
            client = await client_records.add_client(session, me.business_id, phone=form.phone, name=form.name or None,
                                                     locale=form.locale, now=runtime.clock.now())
    except ValidationError as exc:
        return await _render_list(request, errors=form_errors(exc), form=raw, status=400)
    except client_records.DuplicatePhone as exc:
        return await _render_list(request, errors={"phone": _("%(phone)s is already one of your clients.", phone=exc.phone)},
                                  form=raw, status=400, duplicate_id=exc.existing_id)
    flash(request, _("Added %(name)s.", name=form.name or form.phone))
    raise web.HTTPFound(request.app.router["client"].url_for(client_id=str(client.id)))


@routes.get(r"/admin/clients/{client_id:\d+}", name="client")
async def client_page(request: web.Request) -> web.Response:
    return await _render_client(request)


@routes.post(r"/admin/clients/{client_id:\d+}/edit", name="client_edit")
async def client_edit(request: web.Request) -> web.Response:
    """Change name, phone, chat language and time zone (owners, and trainers of this client)."""
    me, runtime = identity(request), request.app[RUNTIME]
    raw = dict(await request.post())
    try:
        async with runtime.sessions.begin() as session:
            business, client = await business_of(session, me), await _client(session, me, request)
            form = ClientForm.model_validate(raw, context={"region": region_of(business.locale)})
            await client_records.edit_client(session, client, phone=form.phone, name=form.name or None, locale=form.locale,
                                             timezone=form.timezone or None)
            client_records.set_email(client, form.email or None)
    except ValidationError as exc:
        return await _render_client(request, errors=form_errors(exc), form=raw, status=400)
    except client_records.DuplicatePhone as exc:
        return await _render_client(request, errors={"phone": _("%(phone)s already belongs to another client.", phone=exc.phone)},
                                    form=raw, status=400)
    except client_records.ClientErased as exc:
        return await _render_client(request, errors={"form": _erased(exc)}, form=raw, status=400)
    flash(request, _("Client saved."))
    _back_to_client(request)


@routes.post(r"/admin/clients/{client_id:\d+}/active", name="client_active")
async def client_active(request: web.Request) -> web.Response:
    """Deactivate or reactivate a client (owners)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    try:
        form = ActiveForm.model_validate(dict(await request.post()))
        async with runtime.sessions.begin() as session:
            client_records.set_active(await _client(session, me, request), form.active, runtime.clock.now())
    except ValidationError:
        return await _render_client(request, errors={"form": _("Choose activate or deactivate.")}, status=400)
    except client_records.ClientErased as exc:
        return await _render_client(request, errors={"form": _erased(exc)}, status=400)
    flash(request, _("Client reactivated.") if form.active else _("Client deactivated."))
    _back_to_client(request)


@routes.post(r"/admin/clients/{client_id:\d+}/notes", name="client_note")
async def client_note(request: web.Request) -> web.Response:
    """Add a note signed with the logged-in user's name and the time."""
    me, runtime = identity(request), request.app[RUNTIME]
    raw = dict(await request.post())
    try:
        form = NoteForm.model_validate(raw)
        async with runtime.sessions.begin() as session:
            await client_records.add_note(session, await _client(session, me, request), body=form.body,
                                          author_user_id=me.user_id, author_name=me.name, now=runtime.clock.now())
    except ValidationError as exc:
        return await _render_client(request, errors={"note": form_errors(exc)["body"]}, form=raw, status=400)
    except client_records.ClientErased as exc:
        return await _render_client(request, errors={"note": _erased(exc)}, form=raw, status=400)
    flash(request, _("Note added."))
    _back_to_client(request)


async def _render_list(request: web.Request, *, errors: Mapping[str, str] | None = None,
                       form: Mapping[str, Any] | None = None, status: int = 200,
                       duplicate_id: int | None = None) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    query = request.query.get("q", "").strip()[:100]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        listing = await list_clients(session, me.business_id, staff_scope(me), query=query, page=page_number(request))
    ctx = {"listing": listing, "query": query, "errors": errors or {}, "form": form or {"locale": business.locale},
           "duplicate_id": duplicate_id, "word": word,
           "at": local_time(business.timezone)}
    return aiohttp_jinja2.render_template("admin/clients.html", request, ctx, status=status)


async def _render_client(request: web.Request, *, errors: Mapping[str, str] | None = None,
                         form: Mapping[str, Any] | None = None, status: int = 200) -> web.Response:
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        try:
            profile = await client_profile(session, me.business_id, staff_scope(me), _client_id(request),
                                           runtime.clock.now())
        except NotFound:
            raise web.HTTPNotFound(text=_("No such client.")) from None
        training = await client_training(session, business, profile.client, runtime.clock.now())
        risk_chart, risk_scores = await risk_history(session, profile.client.id)
        lead = await leads.lead_row(session, me.business_id, profile.client.id)
    ctx = {"p": profile, "c": profile.client, "t": training, "risk_chart": risk_chart, "risk_scores": risk_scores[:5],
           "lead": lead, "lead_sources": source_words(), "lead_stages": {**stage_words(), "new": _("not booked yet")},
           "errors": errors or {}, "form": form, "word": word, "currency": business.currency,
           "at": local_time(business.timezone), "zones": sorted(known_zones()), "pay_links": runtime.pay_links is not None}
    return aiohttp_jinja2.render_template("admin/client.html", request, ctx, status=status)


@routes.get(r"/admin/clients/{client_id:\d+}/photos/{photo_id:\d+}", name="client_photo")
async def client_photo(request: web.Request) -> web.FileResponse:
    """A progress photo downloaded into MEDIA_DIR, to staff who may see its client."""
    me, runtime = identity(request), request.app[RUNTIME]
    async with runtime.sessions() as session:
        client = await _client(session, me, request)
        path = await measurements.photo_path(session, client.id, int(request.match_info["photo_id"]))
    root = runtime.settings.media_dir
    if path is None or root is None or not (root / path).resolve().is_relative_to(root.resolve()) or not (root / path).is_file():
        raise web.HTTPNotFound(text=_("No such photo."))
    return web.FileResponse(root / path)


async def _client(session: AsyncSession, me: Identity, request: web.Request) -> Client:
    """The client of the URL if this user may see it; 404 for another business's or trainer's."""
    try:
        return await get_visible(session, me.business_id, staff_scope(me), _client_id(request))
    except NotFound:
        raise web.HTTPNotFound(text=_("No such client.")) from None


def _client_id(request: web.Request) -> int:
    return int(request.match_info["client_id"])


def _erased(exc: client_records.ClientErased) -> str:
    """The refusal to change an erased client, in the request's language."""
    return {
        "an erased client cannot be edited": _("An erased client cannot be edited."),
        "an erased client cannot be changed": _("An erased client cannot be changed."),
        "notes cannot be added to an erased client": _("Notes cannot be added to an erased client."),
    }.get(str(exc), str(exc))


def _back_to_client(request: web.Request) -> NoReturn:
    raise web.HTTPFound(request.app.router["client"].url_for(client_id=request.match_info["client_id"]))
