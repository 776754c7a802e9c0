"""The panel's guards: login required, CSRF on every state change, ids no row can have, and security headers.

The sandbox's routes (the simulator, the outbox) get the same guard when the demo is reachable beyond
this machine, and the simulator's CSRF check always.
"""
from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp_jinja2 import REQUEST_CONTEXT_KEY
from aiohttp_session import Session, get_session
from sqlalchemy import select

from admin.flash import pop_flashes
from admin.forms.fields import row_id_or_none
from admin.i18n import PANEL_LOCALES, from_accept_language, use_locale
from admin.identity import IDENTITY_KEY, Identity
from domain.models import AdminUser, Business
from runtime.keys import LOOPBACK_ONLY, RUNTIME, SETTINGS

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
NONCE_KEY = web.RequestKey("csp_nonce", str)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
PUBLIC_PATHS = ("/admin/login", "/admin/password/forgot", "/admin/password/reset", "/admin/signup", "/admin/signup/confirm")
USER_KEY, VERSION_KEY, LOCALE_KEY = "user_id", "session_version", "locale"
SERVER = "FitZap"
HSTS = "max-age=31536000; includeSubDomains"
SANDBOX_PATHS = ("/simulator", "/simulator/send", "/sandbox/messages", "/sandbox/emails")
SANDBOX_PAGE = "/simulator"
EXPIRED_FORM = "The form expired or did not come from this site. Reload the page and try again."
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csp_nonce(request: web.Request) -> str:
    """The nonce this response's inline scripts and styles carry, made when a template first needs it."""
    if NONCE_KEY not in request:
        request[NONCE_KEY] = secrets.token_urlsafe(16)
    return request[NONCE_KEY]


def csrf_token(session: Session) -> str:
    """The session's CSRF token, made on first use; every form posts it back."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


@web.middleware
async def admin_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Under /admin: refuse NUL characters, check the CSRF token of every state change, require a logged-in,
    active user, and answer 404 for an id in the path that no row can have (the database driver would refuse it).
    The sandbox's routes have a guard of their own."""
    if request.path in SANDBOX_PATHS and request.app[SETTINGS].channel == "sandbox":
        return await _sandbox_guard(request, handler)
    if not _is_panel(request.path):
        return await handler(request)
    if await _holds_nul(request):
        # PostgreSQL's text cannot hold one: refused here rather than by the driver, mid-transaction, as a 500.
        raise web.HTTPBadRequest(text="The request holds a NUL character, which no field of the panel takes.")
    session = await get_session(request)
    use_locale(_visitor_locale(request, session))
    request[REQUEST_CONTEXT_KEY] = _template_context(request, session)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, session):
        raise web.HTTPForbidden(text=EXPIRED_FORM)
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    me = await _load_identity(request, session)
    if me is None:
        if request.method in SAFE_METHODS:
            raise web.HTTPFound(f"/admin/login?next={request.rel_url}")
        raise web.HTTPForbidden(text="log in first")
    request[IDENTITY_KEY] = me
    request[REQUEST_CONTEXT_KEY]["me"] = me
    use_locale(me.locale)
    if session.get(LOCALE_KEY) != me.locale:
        session[LOCALE_KEY] = me.locale  # the login page after a logout keeps speaking it
    if any(name.endswith("_id") and row_id_or_none(value) is None for name, value in request.match_info.items()):
        raise web.HTTPNotFound()
    return await handler(request)


async def _sandbox_guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The simulator's CSRF check; past loopback, the panel's login too (the sandbox shows every client's chat)."""
    session = await get_session(request)
    use_locale(_visitor_locale(request, session))
    if request.path == SANDBOX_PAGE:  # the page carries the CSRF token its sends post back
        request[REQUEST_CONTEXT_KEY] = _template_context(request, session)
    if request.method not in SAFE_METHODS and not await _csrf_ok(request, session):
        return web.json_response({"error": EXPIRED_FORM}, status=403)
    if request.app.get(LOOPBACK_ONLY, False):
        return await handler(request)
    me = await _load_identity(request, session)
    if me is None:
        if request.path == SANDBOX_PAGE:
            raise web.HTTPFound(f"/admin/login?next={request.rel_url}")
        return web.json_response({"error": "this demo is reachable beyond its machine: log in to the panel first"}, status=401)
    request[IDENTITY_KEY] = me
    return await handler(request)


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Every response of the web app (panel, webhook, health, static files): no framing, no sniffing, a strict
    CSP (pages' scripts carry the request's nonce), no software versions, HTTPS only in production; panel
    pages are never stored by a browser or a proxy (they show clients' data, and the back button must not)."""
    response.headers["Server"] = SERVER  # aiohttp's default names the Python and aiohttp versions
    if request.app[SETTINGS].mode == "production":  # the demo is plain HTTP on localhost
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if _is_panel(request.path):
        response.headers["Cache-Control"] = "no-store"
    nonce = request.get(NONCE_KEY)
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src {scripts}; style-src {scripts}; img-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")


def _template_context(request: web.Request, session: Session) -> dict[str, object]:
    # aiohttp_jinja2 merges this into every panel template's context.
    return {
        "request": request,
        "me": None,
        "csrf_token": csrf_token(session),
        "get_flashes": lambda: pop_flashes(session),
        "demo": request.app[SETTINGS].mode == "demo",
        "csp_nonce": csp_nonce(request),
    }


def _visitor_locale(request: web.Request, session: Session) -> str:
    """Before we know who it is: the language last used in this browser, else the one it asks for."""
    remembered = session.get(LOCALE_KEY)
    if isinstance(remembered, str) and remembered in PANEL_LOCALES:
        return remembered
    return from_accept_language(request.headers.get("Accept-Language", ""))


def _is_panel(path: str) -> bool:
    return (path == "/admin" or path.startswith("/admin/")) and not path.startswith("/admin/static/")


async def _csrf_ok(request: web.Request, session: Session) -> bool:
    expected = session.get(CSRF_FIELD)
    if not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.content_type in FORM_TYPES:
        sent = (await request.post()).get(CSRF_FIELD)
    return isinstance(sent, str) and hmac.compare_digest(sent, expected)


async def _holds_nul(request: web.Request) -> bool:
    fields = list(request.query.values())
    if request.method not in SAFE_METHODS and request.content_type in FORM_TYPES:
        fields += [value for value in (await request.post()).values() if isinstance(value, str)]
    return any("\x00" in field for field in fields)


def start_session(session: Session, user: AdminUser) -> None:
    """Make the cookie a login of `user` as their sessions stand now (ending them bumps the version)."""
    session[USER_KEY], session[VERSION_KEY] = user.id, user.session_version


async def _load_identity(request: web.Request, session: Session) -> Identity | None:
    user_id, version = session.get(USER_KEY), session.get(VERSION_KEY)
    if not isinstance(user_id, int) or not isinstance(version, int):
        return None
    async with request.app[RUNTIME].sessions() as db:
        row = (await db.execute(
            select(AdminUser, Business.locale).join(Business, Business.id == AdminUser.business_id)
            .where(AdminUser.id == user_id, AdminUser.active.is_(True), AdminUser.session_version == version)
        )).first()
    # A deactivated user's cookie, or one whose sessions were ended, stops working on its next click.
    return Identity.of(row[0], row[1]) if row is not None else None
