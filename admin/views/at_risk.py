"""The At risk page (owners): members by churn risk on the latest scoring day, with their reasons, last visit,
last contact and opt-out state."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from admin.identity import require_owner
from admin.page_support import business_of, local_time
from admin.read_models.at_risk import at_risk, latest_day
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
DEFAULT_MIN_PERCENT = 30


@routes.get("/admin/at-risk", name="at_risk")
async def at_risk_page(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    raw = request.query.get("min", str(DEFAULT_MIN_PERCENT))
    minimum = int(raw) if raw.isdigit() and int(raw) <= 100 else DEFAULT_MIN_PERCENT
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        day = await latest_day(session, me.business_id)
        rows = await at_risk(session, me.business_id, day, minimum / 100) if day else []
    return aiohttp_jinja2.render_template("admin/at_risk.html", request, {
        "rows": rows, "day": day, "minimum": minimum, "at": local_time(business.timezone)})
