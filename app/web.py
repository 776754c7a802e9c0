"""The aiohttp application: the web edge (bot) and the panel (admin) on the composition root's runtime."""
from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from admin.panel import setup_admin
from app.bootstrap import App
from bot.routes import setup_edge
from runtime.keys import LOOPBACK_ONLY, RUNTIME, SETTINGS

# Meta's webhook bodies are small; anything near this is not from Meta.
MAX_BODY_BYTES = 1024 * 1024


def create_web_app(app: App, *, loopback_only: bool = False) -> web.Application:
    """The web app for `app`; its Runtime is made in the web app's own loop at start-up.

    `loopback_only`: it listens on this machine's loopback alone (see runtime.keys.LOOPBACK_ONLY).

    Closing that Runtime is left to whoever runs the app (`fitzap serve` and `demo` do it at cleanup).
    """
    web_app = web.Application(client_max_size=MAX_BODY_BYTES)
    web_app[SETTINGS] = app.settings
    web_app[LOOPBACK_ONLY] = loopback_only

    async def runtime(web_app: web.Application) -> AsyncIterator[None]:
        web_app[RUNTIME] = await app.runtime()
        yield

    web_app.cleanup_ctx.append(runtime)
    setup_edge(web_app)
    setup_admin(web_app, app.settings)
    return web_app
