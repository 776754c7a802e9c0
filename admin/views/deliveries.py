"""Failed deliveries: messages WhatsApp refused for good, with a button to send them again."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.flash import flash
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import business_of, local_time, page_number
from admin.read_models import failed_deliveries
from domain.errors import NotFound
from domain.messaging.trainer_replies import OutsideWindow, Unreachable
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/deliveries", name="deliveries")
@aiohttp_jinja2.template("admin/deliveries.html")
async def deliveries_page(request: web.Request) -> dict[str, Any]:
    """The business's failed outbox rows, newest first (owners)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    page = page_number(request)
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        rows, total = await failed_deliveries.failed_rows(session, me.business_id, None, page=page)
    pages = max(1, -(-total // failed_deliveries.FAILED_PAGE))
    return {"rows": rows, "total": total, "page": page, "pages": pages, "at": local_time(business.timezone)}


@routes.post(r"/admin/deliveries/{row_id:\d+}/retry", name="delivery_retry")
async def retry(request: web.Request) -> web.Response:
    """Queue the row again and wake delivery; a free-form message past the 24-hour window is refused."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            client_id = await failed_deliveries.retry(session, me.business_id, None, int(request.match_info["row_id"]),
                                                      runtime.clock.now())
    except NotFound:
        raise web.HTTPNotFound(text=_("No such failed message.")) from None
    except OutsideWindow:
        flash(request, _("Not retried: more than 24 hours since the client's last message: this message can no longer be sent."),
              kind="error")
        raise web.HTTPFound(request.app.router["deliveries"].url_for()) from None
    except Unreachable:
        flash(request, _("Not retried: this client cannot receive messages."), kind="error")
        raise web.HTTPFound(request.app.router["deliveries"].url_for()) from None
    await request.app[RUNTIME].wake.deliver([client_id])
    flash(request, _("Queued again; it will be sent in a moment."))
    raise web.HTTPFound(request.app.router["deliveries"].url_for())
