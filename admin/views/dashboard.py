"""The dashboard: today's sessions, this week's figures and twelve weeks of charts (business time zone)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from admin.charts import bar_chart
from admin.domain_words import word
from admin.i18n import _, day_month
from admin.identity import identity
from admin.plan_words import limit_name, plan_name
from admin.read_models.dashboard_stats import dashboard, missing_templates, template_language
from admin.read_models.plan_report import plan_report
from admin.read_models.setup_checklist import checklist
from admin.template_words import used_for
from domain.models import Business
from domain.platform import plans
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/dashboard", name="dashboard")
@aiohttp_jinja2.template("admin/dashboard.html")
async def dashboard_page(request: web.Request) -> dict[str, object]:
    """An owner sees the business's figures, a trainer those of their own sessions and clients."""
    me = identity(request)
    runtime = request.app[RUNTIME]
    async with runtime.sessions() as session:
        business = await session.get(Business, me.business_id)
        if business is None:
            raise web.HTTPNotFound()
        # A trainer login without a trainer row sees nothing rather than the business's figures.
        figures = await dashboard(session, business.id, business.timezone, runtime.clock.now(),
                                  staff_id=None if me.is_owner else (me.staff_id or 0))
        # The owner hears which automatic messages cannot reach a client outside the 24-hour window.
        missing = await missing_templates(session, business) if me.is_owner else []
        report = await plan_report(session, business, runtime.clock.now()) if me.is_owner and _limited(business) else None
        setup = await checklist(session, business) if me.is_owner else None
    labels = [day_month(w.monday) for w in figures.weeks]
    return {
        "business": business, "tz": ZoneInfo(business.timezone), "figures": figures, "week": figures.this_week, "word": word,
        "activity": bar_chart(labels, [(_("Bookings"), [w.bookings for w in figures.weeks]),
                                       (_("Check-ins"), [w.check_ins for w in figures.weeks])]),
        "no_shows": bar_chart(labels, [(_("No-show rate"), [w.no_show_rate for w in figures.weeks])], percent=True),
        "missing_templates": [(t, used_for(t)) for t in missing], "template_language": template_language(business),
        "plan_report": report, "setup": setup if setup is not None and setup.signed_up and not setup.complete else None,
        "plan_name": plan_name, "limit_name": limit_name,
    }


def _limited(business: Business) -> bool:
    """Whether any of the plan's limits can bite (an unlimited plan needs no usage counted for the dashboard)."""
    plan = plans.plan_of(business)
    return any(v is not None for v in (plan.active_clients, plan.trainers, plan.automated_messages,
                                                     plan.campaigns))
