"""Public sign-up: a studio owner fills the form, confirms the email, and lands on the setup checklist logged in.

Public pages (admin.security.PUBLIC_PATHS), CSRF-checked like the login; the answer to a sign-up is the same
whether or not the email already has a login (the mail says which)."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session

from admin.forms.form_errors import validate
from admin.forms.signup import TIMEZONES, SignupForm
from admin.i18n import _, current_locale
from admin.security import start_session
from admin.views.settings_support import form_data
from conversations.email_texts import signup_confirmation, signup_taken
from domain.messaging import emails
from domain.people.admin_users import MIN_PASSWORD_CHARS
from domain.platform import signups
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
SIGNUP, CONFIRM = "/admin/signup", "/admin/signup/confirm"
PATHS = (SIGNUP, CONFIRM)
PAGE = "admin/signup.html"


def signup_open(request: web.Request) -> bool:
    """Sign-up needs the setting on, and a way to mail the confirmation (SMTP, or the demo's sandbox)."""
    runtime = request.app[RUNTIME]
    return runtime.settings.signup_open and runtime.mailer is not None


@routes.get("/signup")
async def short_url(request: web.Request) -> web.Response:
    raise web.HTTPFound(SIGNUP)


@routes.get(SIGNUP, name="signup")
async def signup_page(request: web.Request) -> web.Response:
    _need_open(request)
    locale = current_locale()
    values = {"locale": locale, "timezone": "America/Sao_Paulo" if locale == "pt-BR" else "UTC"}
    return _form(request, values, {})


@routes.post(SIGNUP)
async def signup(request: web.Request) -> web.Response:
    _need_open(request)
    runtime = request.app[RUNTIME]
    data = await form_data(request)
    form, errors = validate(SignupForm, data)
    if form is None:
        data.pop("password", None)
        return _form(request, data, errors, status=400)
    now = runtime.clock.now()
    try:
        async with runtime.sessions.begin() as session:
            asked = await signups.ask(session, email=form.email, name=form.name, business_name=form.business_name,
                                      password=form.password, locale=form.locale, timezone=form.timezone,
                                      ip=request.remote or "?", now=now)
            origin = runtime.settings.public_url or str(request.url.origin())
            if asked.token is not None:
                hours = int(signups.VALID_FOR.total_seconds() // 3600)
                draft = signup_confirmation(asked.email, asked.name, form.business_name,
                                            f"{origin}{CONFIRM}?token={asked.token}", hours, asked.locale)
            else:
                draft = signup_taken(asked.email, asked.name, f"{origin}/admin/login", f"{origin}/admin/password/forgot",
                                     asked.locale)
            await emails.queue(session, None, draft, now)
    except signups.SignupThrottled:
        data.pop("password", None)
        return _form(request, data, {"__all__": _("Too many sign-ups from here. Try again in a few minutes.")}, status=429)
    await runtime.wake.mail()
    return aiohttp_jinja2.render_template("admin/signup_sent.html", request, {"email": asked.email})


@routes.get(CONFIRM, name="signup_confirm")
async def confirm_page(request: web.Request) -> web.Response:
    _need_open(request)
    runtime, token = request.app[RUNTIME], request.query.get("token", "")[:100]
    async with runtime.sessions() as session:
        found = await signups.pending(session, token, runtime.clock.now()) if token else None
    context = {"token": token if found else "", "business_name": found.business_name if found else "",
               "error": None if found else _refused()}
    return aiohttp_jinja2.render_template("admin/signup_confirm.html", request, context, status=200 if found else 400)


@routes.post(CONFIRM)
async def confirm(request: web.Request) -> web.Response:
    """Make the studio and log its owner in (a mail scanner's GET of the link makes nothing: this takes a POST)."""
    _need_open(request)
    runtime = request.app[RUNTIME]
    token = str((await form_data(request)).get("token", ""))[:100]
    try:
        async with runtime.sessions.begin() as session:
            user = await signups.confirm(session, token, runtime.clock.now())
    except signups.SignupRefused:
        return aiohttp_jinja2.render_template("admin/signup_confirm.html", request,
                                              {"token": "", "business_name": "", "error": _refused()}, status=400)
    start_session(await get_session(request), user)
    raise web.HTTPSeeOther("/admin/setup?welcome=1")


def _need_open(request: web.Request) -> None:
    if not signup_open(request):
        raise web.HTTPNotFound(text=_("Sign-up is not open on this server. Ask its operator for a login."))


def _refused() -> str:
    return _("This link has expired or was already used. Sign up again, or log in if your studio was created.")


def _form(request: web.Request, values: dict[str, Any], errors: dict[str, str], status: int = 200) -> web.Response:
    zones = [(zone, zone.replace("_", " ")) for zone in TIMEZONES]
    context = {"values": values, "errors": errors, "timezones": zones, "min_chars": MIN_PASSWORD_CHARS}
    return aiohttp_jinja2.render_template(PAGE, request, context, status=status)
