"""Training → Meal plans (owners and trainers): templates and clients' copies, meals per day (or every day),
copying and assigning to a client. A trainer opens a client's copy only when the client is theirs."""
from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.forms.training import AssignForm, CopyForm, MealForm, MealPlanForm
from admin.i18n import _, short_date
from admin.identity import identity
from admin.page_support import business_of, staff_scope
from admin.read_models.training_plans import meal_groups, meal_plan_lists, owner_of, weekday_options
from admin.views.settings_support import done, invalid, not_found_as_404, row_id
from admin.views.training_support import check_visible, client_choices, refusal, user_form, visible_client
from domain.models import MealPlan
from domain.training import meal_plan_edits
from domain.training.program_edits import InvalidTraining
from runtime.keys import RUNTIME

routes = web.RouteTableDef()

LIST_PAGE = "admin/meal_plans.html"
PLAN_PAGE = "admin/meal_plan.html"
MEAL_PAGE = "admin/meal.html"
NEW_PLAN = {"name": "", "notes": ""}
MEAL_FIELDS = ("weekday", "name", "at_time", "items", "notes")


def _day_options() -> list[tuple[int | str, str]]:
    """A meal's day: every day, or one weekday."""
    return [("", _("Every day")), *weekday_options()]


async def _list_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        templates, copies = await meal_plan_lists(session, me.business_id, staff_scope(me))
    return {"templates": templates, "copies": copies, "values": values or NEW_PLAN, "errors": errors or {}}


@routes.get("/admin/meal-plans", name="meal_plans")
async def meal_plans_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(LIST_PAGE, request, await _list_context(request))


@routes.post("/admin/meal-plans", name="meal_plan_add")
async def meal_plan_add(request: web.Request) -> web.Response:
    me, data, form, errors = await user_form(request, MealPlanForm)
    if form is None:
        return invalid(LIST_PAGE, request, await _list_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            plan = await meal_plan_edits.create_plan(session, me.business_id, request.app[RUNTIME].clock.now(),
                                                     name=form.name, notes=form.notes)
    except InvalidTraining as error:
        return invalid(LIST_PAGE, request, await _list_context(request, data, refusal(error, NEW_PLAN)))
    raise done(request, _("Meal plan %(name)s created: add its meals.", name=plan.name), "meal_plan", plan_id=str(plan.id))


async def _scoped(session: AsyncSession, request: web.Request, plan_id: int) -> MealPlan:
    """The plan if it is this business's and, a client's copy, of a client this user may see; 404 otherwise."""
    me = identity(request)
    with not_found_as_404():
        plan = await meal_plan_edits.get_plan(session, me.business_id, plan_id)
        await check_visible(session, me, plan)
    return plan


async def _plan_context(request: web.Request, plan_id: int, form: str | None = None, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        plan = await _scoped(session, request, plan_id)
        meals = await meal_plan_edits.meals_of(session, me.business_id, plan.id)
        owner = await owner_of(session, MealPlan, plan)
        clients = await client_choices(session, me, request) if plan.client_id is None else []
    today = request.app[RUNTIME].clock.now().astimezone(ZoneInfo(business.timezone)).date()
    forms: dict[str, dict[str, Any]] = {
        "plan": {"values": {"name": plan.name, "notes": plan.notes or ""}, "errors": {}},
        "meal": {"values": {"weekday": ""}, "errors": {}},
        "assign": {"values": {"client_id": "", "starts_on": today.isoformat()}, "errors": {}},
    }
    if form is not None:
        forms[form] = {"values": values or {}, "errors": errors or {}}
    return {"plan": plan, "owner": owner, "groups": meal_groups(meals), "clients": clients, "forms": forms,
            "day_options": _day_options()}


@routes.get(r"/admin/meal-plans/{plan_id:\d+}", name="meal_plan")
async def meal_plan_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(PLAN_PAGE, request, await _plan_context(request, row_id(request, "plan_id")))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}", name="meal_plan_save")
async def meal_plan_save(request: web.Request) -> web.Response:
    plan_id = row_id(request, "plan_id")
    me, data, form, errors = await user_form(request, MealPlanForm)
    if form is None:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "plan", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, plan_id)
            await meal_plan_edits.edit_plan(session, me.business_id, plan_id, name=form.name, notes=form.notes)
    except InvalidTraining as error:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "plan", data, refusal(error, NEW_PLAN)))
    raise done(request, _("Meal plan %(name)s saved.", name=form.name), "meal_plan", plan_id=str(plan_id))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}/copy", name="meal_plan_copy")
async def meal_plan_copy(request: web.Request) -> web.Response:
    plan_id = row_id(request, "plan_id")
    me, data, form, errors = await user_form(request, CopyForm)
    if form is None:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "plan", data, errors))
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, plan_id)
        copy = await meal_plan_edits.copy_plan(session, me.business_id, plan_id, request.app[RUNTIME].clock.now(),
                                               name=form.name)
    raise done(request, _("Copied to a new template, %(name)s.", name=copy.name), "meal_plan", plan_id=str(copy.id))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}/assign", name="meal_plan_assign")
async def meal_plan_assign(request: web.Request) -> web.Response:
    plan_id = row_id(request, "plan_id")
    me, data, form, errors = await user_form(request, AssignForm)
    if form is None:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "assign", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, plan_id)
            with not_found_as_404():
                await visible_client(session, me, form.client_id)
                copy = await meal_plan_edits.assign_plan(session, me.business_id, plan_id, form.client_id, form.starts_on,
                                                         request.app[RUNTIME].clock.now())
    except InvalidTraining as error:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "assign", data,
                                                               refusal(error, ("client_id", "starts_on"))))
    raise done(request, _("Assigned from %(date)s: this is the client's own copy; editing it leaves the template as it is.",
                          date=short_date(form.starts_on)), "meal_plan", plan_id=str(copy.id))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}/meals", name="meal_add")
async def meal_add(request: web.Request) -> web.Response:
    plan_id = row_id(request, "plan_id")
    me, data, form, errors = await user_form(request, MealForm)
    if form is None:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "meal", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, plan_id)
            await meal_plan_edits.add_meal(session, me.business_id, plan_id, **form.fields())  # type: ignore[arg-type]
    except InvalidTraining as error:
        return invalid(PLAN_PAGE, request, await _plan_context(request, plan_id, "meal", data, refusal(error, MEAL_FIELDS)))
    raise done(request, _("Meal %(name)s added.", name=form.name), "meal_plan", plan_id=str(plan_id))


async def _meal_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me, plan_id = identity(request), row_id(request, "plan_id")
    async with request.app[RUNTIME].sessions() as session:
        plan = await _scoped(session, request, plan_id)
        with not_found_as_404():
            meal = await meal_plan_edits.get_meal(session, me.business_id, plan_id, row_id(request, "meal_id"))
    shown = {"weekday": "" if meal.weekday is None else meal.weekday, "name": meal.name, "at_time": meal.at_time or "",
             "items": meal.items, "notes": meal.notes or ""}
    return {"plan": plan, "meal": meal, "values": values or shown, "errors": errors or {}, "day_options": _day_options()}


@routes.get(r"/admin/meal-plans/{plan_id:\d+}/meals/{meal_id:\d+}", name="meal")
async def meal_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(MEAL_PAGE, request, await _meal_context(request))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}/meals/{meal_id:\d+}", name="meal_save")
async def meal_save(request: web.Request) -> web.Response:
    plan_id, meal_id = row_id(request, "plan_id"), row_id(request, "meal_id")
    me, data, form, errors = await user_form(request, MealForm)
    if form is None:
        return invalid(MEAL_PAGE, request, await _meal_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, plan_id)
            with not_found_as_404():
                await meal_plan_edits.edit_meal(session, me.business_id, plan_id, meal_id, **form.fields())  # type: ignore[arg-type]
    except InvalidTraining as error:
        return invalid(MEAL_PAGE, request, await _meal_context(request, data, refusal(error, MEAL_FIELDS)))
    raise done(request, _("Meal %(name)s saved.", name=form.name), "meal_plan", plan_id=str(plan_id))


@routes.post(r"/admin/meal-plans/{plan_id:\d+}/meals/{meal_id:\d+}/remove", name="meal_remove")
async def meal_remove(request: web.Request) -> web.Response:
    plan_id, me = row_id(request, "plan_id"), identity(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, plan_id)
        with not_found_as_404():
            meal = await meal_plan_edits.remove_meal(session, me.business_id, plan_id, row_id(request, "meal_id"))
    raise done(request, _("Meal %(name)s removed.", name=meal.name), "meal_plan", plan_id=str(plan_id))
