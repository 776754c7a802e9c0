"""The commissions report (owners): each trainer's sessions delivered and sales in a month, what they earn,
and the same as CSV; and a trainer's commission rates, set on their staff page."""
from __future__ import annotations

import csv
import io
from datetime import date

import aiohttp_jinja2
from aiohttp import web

from admin.flash import flash
from admin.forms.payments import month_from
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import business_of
from admin.read_models.payments import month_range
from admin.views.settings_support import form_data, not_found_as_404, row_id
from domain.errors import NotFound
from domain.payments import commissions
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


async def _report(request: web.Request) -> tuple[date, list[commissions.CommissionLine], str, str | None]:
    me, runtime = require_owner(request), request.app[RUNTIME]
    today = runtime.clock.now().date().replace(day=1)
    month, error = month_from(request.query.get("month"), today)
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        start, end = month_range(month, business.timezone)
        try:
            lines = await commissions.month_report(session, me.business_id, start, end)
        except NotFound:
            lines = []
    return month, lines, business.currency, error


@routes.get("/admin/commissions", name="commissions")
async def commissions_page(request: web.Request) -> web.Response:
    month, lines, currency, error = await _report(request)
    context = {"month": month, "lines": lines, "error": error, "currency": currency,
               "total": sum(line.total for line in lines)}
    return aiohttp_jinja2.render_template("admin/commissions.html", request, context, status=400 if error else 200)


@routes.get("/admin/commissions.csv", name="commissions_csv")
async def commissions_csv(request: web.Request) -> web.Response:
    month, lines, currency, error = await _report(request)
    if error:
        raise web.HTTPBadRequest(text=error)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "trainer", "percent", "sessions", "sessions_value", "sessions_commission", "sales", "sales_value",
                     "sales_commission", "total_commission", "currency"])
    for line in lines:
        writer.writerow([f"{month:%Y-%m}", line.trainer, line.percent, line.sessions, _amount(line.sessions_value),
                         _amount(line.sessions_commission), line.sales, _amount(line.sales_value),
                         _amount(line.sales_commission), _amount(line.total), currency])
    return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": f'attachment; filename="commissions-{month:%Y-%m}.csv"'})


@routes.post(r"/admin/staff/trainers/{staff_id:\d+}/commission", name="staff_trainer_commission")
async def save_rates(request: web.Request) -> web.Response:
    """The trainer's percentage and per-service overrides (`service_<id>`: a percent, or empty for none)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    staff_id = row_id(request, "staff_id")
    data = await form_data(request)
    back = str(request.app.router["staff_trainer"].url_for(staff_id=str(staff_id)))
    try:
        percent = _percent(data.get("commission_percent", "0")) or 0
        per_service = {int(key.removeprefix("service_")): _percent(value) for key, value in data.items()
                       if key.startswith("service_") and key.removeprefix("service_").isdigit() and len(key) < 30}
    except ValueError:
        flash(request, _("Nothing was saved: a commission is a whole percent from 0 to 100."))
        raise web.HTTPFound(back) from None
    async with runtime.sessions.begin() as session:
        with not_found_as_404():
            await commissions.set_rates(session, me.business_id, staff_id, percent, per_service)
    flash(request, _("Commission saved."))
    raise web.HTTPFound(back)


def _percent(text: str) -> int | None:
    text = text.strip().removesuffix("%").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 3 and 0 <= int(text) <= 100):
        raise ValueError(text)
    return int(text)


def _amount(cents: int) -> str:
    return f"{cents / 100:.2f}"
