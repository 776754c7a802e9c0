"""Settings → Services: list, add, edit, deactivate; owner only."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.forms.fields import row_id_or_none
from admin.forms.services import ServiceForm, price_text
from admin.i18n import _
from admin.identity import require_owner
from admin.views.settings_routes import routes
from admin.views.settings_support import done, invalid, not_found_as_404, owner_form, row_id, toggle_active
from domain.models import Business, Service
from domain.people import staff_roster
from domain.scheduling import catalog, service_edits
from runtime.keys import RUNTIME

LIST_PAGE = "admin/settings_services.html"
EDIT_PAGE = "admin/settings_service_edit.html"


def _values(service: Service, trainer_ids: list[int]) -> dict[str, Any]:
    return {"name": service.name, "kind": "class" if service.is_class else "personal",
            "duration_min": service.duration_min, "price": price_text(service.price_cents),
            "capacity": service.capacity, "buffer_before_min": service.buffer_before_min,
            "buffer_after_min": service.buffer_after_min, "credits_required": service.credits_required,
            "trainer_ids": trainer_ids, "aliases": service.aliases}


async def _list_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        rows = await service_edits.services_of(session, me.business_id)
        trainers = await staff_roster.staff_of(session, me.business_id)
        business = await catalog.get_scoped(session, Business, me.business_id, me.business_id)
    new = {"kind": "personal", "duration_min": 60, "price": "0", "capacity": 1, "credits_required": 1, "trainer_ids": []}
    return {"rows": rows, "trainers": trainers, "names": {t.id: t.name for t in trainers},
            "values": values or new, "errors": errors or {}, "currency": business.currency}


def _as_ids(data: dict[str, Any]) -> list[int]:
    return [i for i in map(row_id_or_none, data.get("trainer_ids", [])) if i is not None]


@routes.get("/admin/settings/services", name="settings_services")
async def services_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(LIST_PAGE, request, await _list_context(request))


@routes.post("/admin/settings/services", name="settings_services_add")
async def service_add(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, ServiceForm, many=("trainer_ids",))
    if form is None:
        return invalid(LIST_PAGE, request, await _list_context(request, {**data, "trainer_ids": _as_ids(data)}, errors))
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            await catalog.add_service(session, me.business_id, form.name, request.app[RUNTIME].clock.now(),
                                      price_cents=form.price_cents, **form.model_dump(exclude={"name", "kind", "price"}))
    raise done(request, _("Service %(name)s added.", name=form.name), "settings_services")


async def _edit_context(request: web.Request, service_id: int, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            service = await catalog.get_scoped(session, Service, me.business_id, service_id)
        row = next(r for r in await service_edits.services_of(session, me.business_id) if r.service.id == service_id)
        trainers = await staff_roster.staff_of(session, me.business_id)
    return {"service": service, "trainers": trainers, "values": values or _values(service, row.trainer_ids),
            "errors": errors or {}}


@routes.get(r"/admin/settings/services/{service_id:\d+}", name="settings_service")
async def service_page(request: web.Request) -> web.Response:
    context = await _edit_context(request, row_id(request, "service_id"))
    return aiohttp_jinja2.render_template(EDIT_PAGE, request, context)


@routes.post(r"/admin/settings/services/{service_id:\d+}", name="settings_service_save")
async def service_save(request: web.Request) -> web.Response:
    service_id = row_id(request, "service_id")
    me, data, form, errors = await owner_form(request, ServiceForm, many=("trainer_ids",))
    if form is None:
        context = await _edit_context(request, service_id, {**data, "trainer_ids": _as_ids(data)}, errors)
        return invalid(EDIT_PAGE, request, context)
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            await service_edits.update_service(session, me.business_id, service_id, name=form.name,
                                               price_cents=form.price_cents,
                                               **form.model_dump(exclude={"name", "kind", "price"}))
    raise done(request, _("Service %(name)s saved.", name=form.name), "settings_services")


@routes.post(r"/admin/settings/services/{service_id:\d+}/active", name="settings_service_active")
async def service_active(request: web.Request) -> web.Response:
    service = await toggle_active(request, Service, "service_id")
    said = (_("Service %(name)s reactivated.", name=service.name) if service.active
            else _("Service %(name)s deactivated: clients can no longer book it.", name=service.name))
    raise done(request, said, "settings_services")
