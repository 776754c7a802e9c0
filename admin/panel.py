"""Mounts the admin panel on the web app: templates, sessions, guards, static files, pages and the simulator."""
from __future__ import annotations

import hashlib
import importlib
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage

from admin import i18n
from admin.security import add_security_headers, admin_guard
from admin.simulator import simulator_page, simulator_send
from runtime.settings import Settings

PAGES = ("auth", "password_reset", "dashboard", "calendar", "classes", "clients", "inbox", "payments", "commissions", "training",
         "training_meals", "training_exercises", "challenges", "not_understood", "at_risk", "campaigns", "deliveries", "settings", "staff",
         "webhooks", "api_tokens", "leads", "plan", "setup", "signup")
SESSION_MAX_AGE_S = 12 * 3600
STATIC_DIR = Path(__file__).parent / "static"


def setup_admin(app: web.Application, settings: Settings) -> None:
    """Add the panel's templates, middlewares, static files, every page's routes and the simulator to the app."""
    env = aiohttp_jinja2.setup(app, loader=jinja2.PackageLoader("admin", "templates"), autoescape=True,
                               extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(i18n.gettext, i18n.ngettext_plain, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(i18n.template_globals())
    setup_sessions(app, EncryptedCookieStorage(
        _cookie_key(settings), cookie_name="fitzap_admin", max_age=SESSION_MAX_AGE_S,
        httponly=True, samesite="Lax", secure=settings.cookie_secure,
    ))
    app.middlewares.append(admin_guard)
    app.on_response_prepare.append(add_security_headers)
    app.router.add_static("/admin/static/", STATIC_DIR, name="admin_static")
    for page in PAGES:
        app.router.add_routes(importlib.import_module(f"admin.views.{page}").routes)
    app.router.add_get("/simulator", simulator_page)
    app.router.add_post("/simulator/send", simulator_send)


def _cookie_key(settings: Settings) -> bytes:
    # A key of its own, derived from SECRET_KEY, so the cookie key never equals any other use of the secret.
    return hashlib.sha256(b"fitzap-admin-session:" + settings.secret_key.get_secret_value().encode()).digest()
