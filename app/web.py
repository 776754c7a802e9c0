"""The aiohttp application: the web edge (bot) and the panel (admin) on the composition root's runtime."""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web, web_response
from aiohttp.typedefs import Handler

from admin.panel import setup_admin
from api.setup import setup_api
from app.bootstrap import App
from bot.routes import setup_edge
from runtime.keys import LOOPBACK_ONLY, RUNTIME, SETTINGS

# Meta's webhook bodies are small; anything near this is not from Meta.
MAX_BODY_BYTES = 1024 * 1024
# No file or route of ours has a longer path segment (file systems refuse names past 255 bytes).
MAX_SEGMENT_BYTES = 255
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def create_web_app(app: App, *, loopback_only: bool = False) -> web.Application:
    """The web app for `app`; its Runtime is made in the web app's own loop at start-up.

    `loopback_only`: it listens on this machine's loopback alone (see runtime.keys.LOOPBACK_ONLY).

    Closing that Runtime is left to whoever runs the app (`fitzap serve` and `demo` do it at cleanup).
    """
    # aiohttp names itself and its version in the Server header of the answers its HTTP parser gives to
    # malformed requests, which never reach the app's handlers or signals; it has no setting for it.
    web_response.SERVER_SOFTWARE = "FitZap"
    web_app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[refuse_odd_requests])
    web_app[SETTINGS] = app.settings
    web_app[LOOPBACK_ONLY] = loopback_only

    async def runtime(web_app: web.Application) -> AsyncIterator[None]:
        web_app[RUNTIME] = await app.runtime()
        yield

    web_app.cleanup_ctx.append(runtime)
    setup_edge(web_app)
    setup_admin(web_app, app.settings)
    setup_api(web_app)
    return web_app


@web.middleware
async def refuse_odd_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """404 for a path segment no file or route has; on a loopback-only demo, 421 for a Host that is not this
    machine's (a page on another site could otherwise reach the demo through DNS rebinding)."""
    if any(len(part.encode()) > MAX_SEGMENT_BYTES for part in request.path.split("/")):
        raise web.HTTPNotFound()
    if request.app[LOOPBACK_ONLY] and (request.url.host or "").lower() not in LOOPBACK_HOSTS:
        raise web.HTTPMisdirectedRequest(text="this demo answers on 127.0.0.1 and localhost only")
    return await handler(request)
