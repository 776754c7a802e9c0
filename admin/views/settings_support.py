"""What the settings and staff handlers share: form reading, rendering with errors, scoping, redirects."""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.flash import flash
from admin.forms.form_errors import Form, validate
from admin.identity import Identity, require_owner
from domain.errors import NotFound
from domain.scheduling import catalog
from runtime.keys import RUNTIME


async def form_data(request: web.Request, *, many: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields as a dict; the names in `many` (multi-selects, checkboxes) as lists."""
    posted = await request.post()
    data: dict[str, Any] = {k: v for k, v in posted.items() if isinstance(v, str) and k != "csrf_token"}
    for name in many:
        data[name] = [v for v in posted.getall(name, []) if isinstance(v, str)]
    return data


async def owner_form(request: web.Request, model: type[Form], *, many: tuple[str, ...] = ()
                     ) -> tuple[Identity, dict[str, Any], Form | None, dict[str, str]]:
    """The owner posting (403 for a trainer), the raw fields, and the validated form or its errors."""
    me = require_owner(request)
    data = await form_data(request, many=many)
    form, errors = validate(model, data)
    return me, data, form, errors


def row_id(request: web.Request, name: str) -> int:
    """An id from the URL (routes only match digits)."""
    return int(request.match_info[name])


def invalid(template: str, request: web.Request, context: Mapping[str, Any]) -> web.Response:
    """The form again, with its errors next to the fields, as 400: nothing was saved."""
    return aiohttp_jinja2.render_template(template, request, dict(context), status=400)


def done(request: web.Request, message: str, route: str, **parts: str) -> web.HTTPFound:
    """Post-redirect-get with a flash saying what happened."""
    flash(request, message)
    return web.HTTPFound(str(request.app.router[route].url_for(**parts)))


@contextmanager
def not_found_as_404() -> Iterator[None]:
    """Another business's id (or a missing one) is a plain 404, never its data, never a 403."""
    try:
        yield
    except NotFound:
        raise web.HTTPNotFound() from None


async def toggle_active(request: web.Request, model: type[catalog.Scoped], id_param: str) -> catalog.Scoped:
    """Set the row's `active` flag from the posted field (owner only; 404 for another business's row)."""
    me = require_owner(request)
    active = (await form_data(request)).get("active") == "1"
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            return await catalog.set_active(session, model, me.business_id, row_id(request, id_param), active)
