"""The dashboard (a welcome page until the figures are built)."""
import aiohttp_jinja2
from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/admin/dashboard", name="dashboard")
@aiohttp_jinja2.template("admin/dashboard.html")
async def dashboard(request: web.Request) -> dict[str, object]:
    return {}
