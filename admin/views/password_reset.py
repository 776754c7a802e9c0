"""Forgot your password?: ask for a link by email (the same answer whatever the email), then set a new password
through it once. Public pages (admin.security.PUBLIC_PATHS), CSRF-checked and throttled like the login."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from admin.flash import flash
from admin.i18n import _
from conversations.email_texts import password_reset
from domain.messaging import emails
from domain.people import password_resets
from domain.people.admin_users import MIN_PASSWORD_CHARS
from runtime.keys import RUNTIME
from runtime.resources import Runtime

routes = web.RouteTableDef()
FORGOT, RESET = "/admin/password/forgot", "/admin/password/reset"
PATHS = (FORGOT, RESET)


class ForgotForm(BaseModel):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


def mail_on(request: web.Request) -> bool:
    """Resets need a way to send the link: SMTP, or the demo's sandbox."""
    return request.app[RUNTIME].mailer is not None


@routes.get(FORGOT, name="password_forgot")
async def forgot_page(request: web.Request) -> web.Response:
    _need_mail(request)
    return _forgot(request, "", None)


@routes.post(FORGOT)
async def forgot(request: web.Request) -> web.Response:
    """Queue a link for an active login with this email; answer the same whether there is one or not."""
    _need_mail(request)
    runtime = request.app[RUNTIME]
    typed = str((await request.post()).get("email", ""))
    try:
        form = ForgotForm(email=typed.strip())
    except ValidationError:
        return _forgot(request, typed, _("Enter the email you log in with."), status=400)
    now = runtime.clock.now()
    try:
        async with runtime.sessions.begin() as session:
            await password_resets.take_request(session, form.email, request.remote or "?", now)
    except password_resets.ResetThrottled:
        return _forgot(request, typed, _("Too many requests. Try again in a few minutes."), status=429)
    async with runtime.sessions.begin() as session:
        asked = await password_resets.ask(session, form.email, now)
        if asked is not None:
            link = f"{_base_url(request, runtime)}{RESET}?token={asked.token}"
            minutes = int(password_resets.VALID_FOR.total_seconds() // 60)
            await emails.queue(session, None, password_reset(asked.email, asked.name, asked.business, link, minutes,
                                                             asked.locale), now)
    if asked is not None:
        await runtime.wake.mail()
    return aiohttp_jinja2.render_template("admin/password_forgot.html", request, {"email": "", "error": None, "sent": True})


@routes.get(RESET, name="password_reset")
async def reset_page(request: web.Request) -> web.Response:
    _need_mail(request)
    runtime, token = request.app[RUNTIME], request.query.get("token", "")
    async with runtime.sessions() as session:
        usable = bool(token) and len(token) <= 100 and await password_resets.valid(session, token, runtime.clock.now())
    return _reset(request, token if usable else "", None if usable else _refused(), status=200 if usable else 400)


@routes.post(RESET)
async def reset(request: web.Request) -> web.Response:
    """Set the new password through the link (once); every session of the user ends; on to the login."""
    _need_mail(request)
    runtime = request.app[RUNTIME]
    posted = await request.post()
    token, password, again = (str(posted.get(name, ""))[:1024] for name in ("token", "password", "password_again"))
    now = runtime.clock.now()
    try:
        async with runtime.sessions.begin() as session:
            await password_resets.take_token_try(session, request.remote or "?", now)
    except password_resets.ResetThrottled:
        return _reset(request, token, _("Too many attempts. Try again in a few minutes."), status=429)
    if password != again:
        return _reset(request, token, _("The two passwords differ. Type the same new password twice."), status=400)
    if len(password) < MIN_PASSWORD_CHARS:
        return _reset(request, token, _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_CHARS),
                      status=400)
    try:
        async with runtime.sessions.begin() as session:
            await password_resets.complete(session, token[:100], password, now)
    except password_resets.ResetRefused:
        return _reset(request, "", _refused(), status=400)
    except password_resets.WeakPassword:
        return _reset(request, token, _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_CHARS),
                      status=400)
    flash(request, _("Your password was changed. Log in with the new one."))
    raise web.HTTPSeeOther("/admin/login")


def _need_mail(request: web.Request) -> None:
    if not mail_on(request):
        raise web.HTTPNotFound(text=_("Password reset by email is not set up here. Ask the business's owner."))


def _base_url(request: web.Request, runtime: Runtime) -> str:
    return runtime.settings.public_url or str(request.url.origin())


def _refused() -> str:
    return _("This link has expired or was already used. Ask for a new one.")


def _forgot(request: web.Request, email: str, error: str | None, status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template("admin/password_forgot.html", request,
                                          {"email": email, "error": error, "sent": False}, status=status)


def _reset(request: web.Request, token: str, error: str | None, status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template("admin/password_reset.html", request,
                                          {"token": token, "error": error, "min_chars": MIN_PASSWORD_CHARS}, status=status)
