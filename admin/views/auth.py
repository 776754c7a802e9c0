"""Log in and log out."""
from __future__ import annotations

from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import new_session
from pydantic import BaseModel, Field, ValidationError

from admin.i18n import PANEL_LOCALES, _
from admin.identity import identity
from admin.security import csrf_token, start_session
from admin.views.signup import signup_open
from domain.people.admin_users import LoginRefused, LoginThrottled, authenticate, end_sessions, set_locale
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
LANDING = "/admin/dashboard"


class LoginForm(BaseModel):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


@routes.get("/admin", name="admin_home")
@routes.get("/admin/", name="admin_home_slash")
async def admin_home(request: web.Request) -> web.Response:
    raise web.HTTPFound(LANDING)


@routes.get("/admin/login", name="login")
@aiohttp_jinja2.template("admin/login.html")
async def login_page(request: web.Request) -> dict[str, object]:
    return {"next": _safe_next(request.query.get("next")), "email": "", "error": None,
            "password_reset": request.app[RUNTIME].mailer is not None, "signup": signup_open(request)}


@routes.post("/admin/login")
async def login(request: web.Request) -> web.Response:
    """Check the password (throttled); on success start a fresh session so an old cookie cannot be reused."""
    form = await request.post()
    next_url = _safe_next(form.get("next"))
    email = str(form.get("email", ""))
    try:
        credentials = LoginForm(email=email, password=str(form.get("password", "")))
    except ValidationError:
        return _login_error(request, next_url, email, _("Enter your email and password."))
    runtime = request.app[RUNTIME]
    try:
        user = await authenticate(runtime.sessions, credentials.email, credentials.password, request.remote or "?",
                                  runtime.clock.now())
    except (LoginRefused, LoginThrottled) as exc:
        if isinstance(exc, LoginThrottled):
            return _login_error(request, next_url, email, _("Too many failed attempts. Try again in a few minutes."), 429)
        return _login_error(request, next_url, email, _("Wrong email or password."))
    cookie = await new_session(request)
    start_session(cookie, user)
    csrf_token(cookie)
    raise web.HTTPFound(next_url)


@routes.post("/admin/logout", name="logout")
async def logout(request: web.Request) -> web.Response:
    """End every session of this user, not just this cookie: a copy of it stops working too."""
    async with request.app[RUNTIME].sessions.begin() as session:
        await end_sessions(session, identity(request).user_id)
    (await new_session(request)).invalidate()
    raise web.HTTPFound("/admin/login")


@routes.post("/admin/me/language", name="language")
async def choose_language(request: web.Request) -> web.Response:
    """Keep the user's pick of the panel's language and show the page they were on in it."""
    form = await request.post()
    choice = form.get("locale")
    if choice not in PANEL_LOCALES:
        raise web.HTTPBadRequest(text=f"The panel speaks {', '.join(PANEL_LOCALES)}.")
    async with request.app[RUNTIME].sessions.begin() as session:
        await set_locale(session, identity(request).user_id, str(choice))
    raise web.HTTPFound(_safe_next(_same_site_path(request.headers.get("Referer", ""))))


def _same_site_path(referer: str) -> str:
    parts = urlsplit(referer)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _login_error(request: web.Request, next_url: str, email: str, error: str, status: int = 400) -> web.Response:
    # The email typed is shown back; the password never is.
    context = {"next": next_url, "email": email, "error": error, "password_reset": request.app[RUNTIME].mailer is not None,
               "signup": signup_open(request)}
    return aiohttp_jinja2.render_template("admin/login.html", request, context, status=status)


def _safe_next(value: object) -> str:
    # Only our own panel pages: never an absolute or protocol-relative URL (open redirect).
    if isinstance(value, str) and value.startswith("/admin") and not value.startswith("//") and "\\" not in value:
        return value
    return LANDING
