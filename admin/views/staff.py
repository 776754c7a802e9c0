"""The staff page (owner only): trainers (add, edit, deactivate) and panel logins (add, role, deactivate)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from aiohttp_session import get_session
from sqlalchemy.ext.asyncio import AsyncSession

from admin.flash import flash
from admin.forms.automation import clock_text
from admin.forms.form_errors import validate
from admin.forms.staff import PanelUserForm, RoleForm, TrainerForm
from admin.i18n import _
from admin.identity import require_owner
from admin.page_support import business_of, local_time, public_origin
from admin.plan_words import refusal
from admin.security import start_session
from admin.views.settings_support import done, form_data, invalid, not_found_as_404, owner_form, row_id, toggle_active
from domain.models import AdminUser, Staff
from domain.payments import commissions
from domain.people import panel_users, staff_roster
from domain.people.admin_users import MIN_PASSWORD_CHARS, AdminUserError, create_user
from domain.platform.plans import PlanLimitReached
from domain.scheduling import catalog
from runtime.keys import RUNTIME

routes = web.RouteTableDef()
PAGE = "admin/staff.html"
TRAINER_PAGE = "admin/staff_trainer.html"


async def _context(request: web.Request, **overrides: Any) -> dict[str, Any]:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        trainers = await staff_roster.staff_of(session, me.business_id)
        users = await panel_users.users_of(session, me.business_id)
        business = await business_of(session, me)
    context: dict[str, Any] = {"trainers": trainers, "names": {t.id: t.name for t in trainers}, "users": users,
                               "at": local_time(business.timezone),
                               "trainer_values": {}, "trainer_errors": {}, "user_values": {"role": "trainer"},
                               "user_errors": {}, "user_problem": None}
    context.update(overrides)
    return context


@routes.get("/admin/staff", name="staff")
async def staff_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PAGE, request, await _context(request))


@routes.post("/admin/staff/trainers", name="staff_trainer_add")
async def trainer_add(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, TrainerForm)
    if form is None:
        return invalid(PAGE, request, await _context(request, trainer_values=data, trainer_errors=errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            staff = await catalog.add_staff(session, me.business_id, form.name, request.app[RUNTIME].clock.now(),
                                            wa_id=form.whatsapp, email=form.email)
            staff.digest_at_min = form.digest_at_min
            staff.digest_channel = form.digest_channel
    except PlanLimitReached as error:
        return invalid(PAGE, request, await _context(request, trainer_values=data, trainer_errors={"name": refusal(error)}))
    raise done(request, _("Trainer %(name)s added. Set their weekly hours under Settings.", name=form.name), "staff")


@routes.get(r"/admin/staff/trainers/{staff_id:\d+}", name="staff_trainer")
async def trainer_page(request: web.Request) -> web.Response:
    me = require_owner(request)
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            staff = await catalog.get_scoped(session, Staff, me.business_id, row_id(request, "staff_id"))
        context = await _commission_context(session, me.business_id, staff.id)
    values = {"name": staff.name, "email": staff.email, "whatsapp": f"+{staff.wa_id}" if staff.wa_id else "",
              "digest_at": clock_text(staff.digest_at_min), "digest_channel": staff.digest_channel}
    ical_url = f"{public_origin(request)}/ical/trainers/{staff.ical_token}.ics"
    return aiohttp_jinja2.render_template(TRAINER_PAGE, request, {"staff": staff, "values": values, "errors": {}, **context,
                                                                  "ical_url": ical_url})


async def _commission_context(session: AsyncSession, business_id: int, staff_id: int) -> dict[str, Any]:
    return {"services": await catalog.active_services(session, business_id),
            "rates": await commissions.rates_of(session, business_id, staff_id)}


@routes.post(r"/admin/staff/trainers/{staff_id:\d+}", name="staff_trainer_save")
async def trainer_save(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, TrainerForm)
    async with request.app[RUNTIME].sessions.begin() as session:
        with not_found_as_404():
            if form is None:
                staff = await catalog.get_scoped(session, Staff, me.business_id, row_id(request, "staff_id"))
                context = await _commission_context(session, me.business_id, staff.id)
                return invalid(TRAINER_PAGE, request, {"staff": staff, "values": data, "errors": errors, **context})
            saved = await staff_roster.update_staff(session, me.business_id, row_id(request, "staff_id"), name=form.name,
                                                    email=form.email, wa_id=form.whatsapp, digest_at_min=form.digest_at_min)
            saved.digest_channel = form.digest_channel
    raise done(request, _("Trainer %(name)s saved.", name=form.name), "staff")


@routes.post(r"/admin/staff/trainers/{staff_id:\d+}/active", name="staff_trainer_active")
async def trainer_active(request: web.Request) -> web.Response:
    try:
        staff = await toggle_active(request, Staff, "staff_id")
    except PlanLimitReached as error:
        flash(request, refusal(error), "error")
        raise web.HTTPFound(str(request.app.router["staff"].url_for())) from None
    said = (_("Trainer %(name)s back: clients can book them again.", name=staff.name) if staff.active
            else _("Trainer %(name)s deactivated: clients can no longer book them.", name=staff.name))
    raise done(request, said, "staff")


@routes.post("/admin/staff/users", name="staff_user_add")
async def user_add(request: web.Request) -> web.Response:
    me, data, form, errors = await owner_form(request, PanelUserForm)
    problem = None
    if form is not None:
        try:
            async with request.app[RUNTIME].sessions.begin() as session:
                await create_user(session, me.business_id, form.email, form.name, form.password, form.role,
                                  request.app[RUNTIME].clock.now(), staff_id=form.staff_id)
        except AdminUserError as exc:
            problem = _user_problem(exc)
        else:
            said = (_("%(name)s can now log in as owner with %(email)s.", name=form.name, email=form.email) if form.role == "owner"
                    else _("%(name)s can now log in as trainer with %(email)s.", name=form.name, email=form.email))
            raise done(request, said, "staff")
    data.pop("password", None)  # never echoed back into the page
    return invalid(PAGE, request, await _context(request, user_values=data, user_errors=errors, user_problem=problem))


def _user_problem(exc: AdminUserError, name: str | None = None) -> str:
    """Why the login was refused, in the panel's language; the domain's own words for a reason this page does not know."""
    if isinstance(exc, panel_users.LastOwner) and name:
        return _("%(name)s is the only owner: make someone else an owner first.", name=name)
    known = {
        "Enter a valid email address.": _("Enter a valid email address."),
        f"The password needs at least {MIN_PASSWORD_CHARS} characters.":
            _("The password needs at least %(num)s characters.", num=MIN_PASSWORD_CHARS),
        "The role must be owner or trainer.": _("The role must be owner or trainer."),
        "That trainer does not exist in this business.": _("That trainer does not exist in this business."),
        "A user with that email already exists.": _("A user with that email already exists."),
        "Choose which trainer this login belongs to.": _("Choose which trainer this login belongs to."),
    }
    return known.get(str(exc), str(exc))


async def _change_user(request: web.Request, change: Callable[[AsyncSession, int], Awaitable[AdminUser]],
                       said: Callable[[AdminUser], str]) -> web.Response:
    me = require_owner(request)
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            with not_found_as_404():
                user = await change(session, row_id(request, "user_id"))
    except AdminUserError as exc:
        context = await _context(request)
        names = {u.id: u.name for u in context["users"]}
        context["user_problem"] = _user_problem(exc, names.get(row_id(request, "user_id")))
        return invalid(PAGE, request, context)
    if user.id == me.user_id and user.active:
        start_session(await get_session(request), user)  # the change ended the others; this one goes on
    # Someone who just gave up their own owner role (or login) can no longer see this page.
    raise done(request, said(user), "dashboard" if user.id == me.user_id else "staff")


@routes.post(r"/admin/staff/users/{user_id:\d+}/role", name="staff_user_role")
async def user_role(request: web.Request) -> web.Response:
    me = require_owner(request)
    form, errors = validate(RoleForm, await form_data(request))
    if form is None:
        return invalid(PAGE, request, await _context(request, user_problem=" ".join(errors.values())))
    role, staff_id = form.role, form.staff_id
    return await _change_user(
        request, lambda session, user_id: panel_users.set_role(session, me.business_id, user_id, role, staff_id),
        lambda user: _("%(name)s is now owner.", name=user.name) if user.role == "owner"
        else _("%(name)s is now trainer.", name=user.name))


@routes.post(r"/admin/staff/users/{user_id:\d+}/active", name="staff_user_active")
async def user_active(request: web.Request) -> web.Response:
    me = require_owner(request)
    active = (await form_data(request)).get("active") == "1"
    return await _change_user(
        request, lambda session, user_id: panel_users.set_user_active(session, me.business_id, user_id, active),
        lambda user: _("%(name)s can log in again.", name=user.name) if user.active
        else _("%(name)s can no longer log in.", name=user.name))
