"""Training → Programs (owners and trainers): templates and clients' copies, the builder (weeks × days, each
day's exercises), copying a template and assigning it to a client. A trainer opens a client's copy only when
the client is theirs."""
from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.flash import flash
from admin.forms.training import AssignForm, CopyForm, DayForm, ItemForm, MoveForm, NewItemForm, ProgramForm
from admin.i18n import _, short_date
from admin.identity import identity
from admin.page_support import business_of, staff_scope
from admin.read_models.training_plans import (
    exercise_name,
    item_values,
    library_groups,
    program_lists,
    program_view,
    weekday_name,
    weekday_options,
    weekday_title,
)
from admin.views.settings_support import done, invalid, not_found_as_404, row_id
from admin.views.training_support import check_visible, client_choices, refusal, user_form, visible_client
from domain.models import Program
from domain.training import library, program_edits
from domain.training.program_edits import InvalidTraining
from runtime.keys import RUNTIME

routes = web.RouteTableDef()

LIST_PAGE = "admin/programs.html"
BUILDER_PAGE = "admin/program.html"
ITEM_PAGE = "admin/program_item.html"
NEW_PROGRAM = {"name": "", "weeks": "4", "notes": ""}
NEW_ITEM = {"sets": "3", "amount_unit": "reps", "amount": "10", "load_unit": "kg"}
ITEM_FIELDS = ("day_id", "exercise_key", "sets", "amount_unit", "amount", "load_unit", "load", "rest_s", "superset",
               "progression_kg", "notes")


def _today(request: web.Request, timezone: str) -> date:
    return request.app[RUNTIME].clock.now().astimezone(ZoneInfo(timezone)).date()


async def _list_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        templates, copies = await program_lists(session, me.business_id, staff_scope(me))
    return {"templates": templates, "copies": copies, "values": values or NEW_PROGRAM, "errors": errors or {}}


@routes.get("/admin/programs", name="programs")
async def programs_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(LIST_PAGE, request, await _list_context(request))


@routes.post("/admin/programs", name="program_add")
async def program_add(request: web.Request) -> web.Response:
    me, data, form, errors = await user_form(request, ProgramForm)
    if form is None:
        return invalid(LIST_PAGE, request, await _list_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            program = await program_edits.create_program(session, me.business_id, request.app[RUNTIME].clock.now(),
                                                         name=form.name, weeks=form.weeks, notes=form.notes)
    except InvalidTraining as error:
        return invalid(LIST_PAGE, request, await _list_context(request, data, refusal(error, NEW_PROGRAM)))
    raise done(request, _("Program %(name)s created: add its training days.", name=program.name), "program",
               program_id=str(program.id))


async def _scoped(session: AsyncSession, request: web.Request, program_id: int) -> Program:
    """The program if it is this business's and, a client's copy, of a client this user may see; 404 otherwise."""
    me = identity(request)
    with not_found_as_404():
        program = await program_edits.get_program(session, me.business_id, program_id)
        await check_visible(session, me, program)
    return program


async def _builder_context(request: web.Request, program_id: int, form: str | None = None,
                           values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        program = await _scoped(session, request, program_id)
        view = await program_view(session, program, business.locale)
        groups = await library_groups(session, me.business_id, business.locale)
        clients = await client_choices(session, me, request) if program.client_id is None else []
    forms: dict[str, dict[str, Any]] = {
        "program": {"values": {"name": program.name, "weeks": program.weeks, "notes": program.notes or ""}, "errors": {}},
        "day": {"values": {"week": "1", "weekday": "0", "title": ""}, "errors": {}},
        "item": {"values": {**NEW_ITEM, "day_id": request.query.get("day", "")}, "errors": {}},
        "assign": {"values": {"client_id": "", "starts_on": _today(request, business.timezone).isoformat()}, "errors": {}},
    }
    if form is not None:
        forms[form] = {"values": values or {}, "errors": errors or {}}
    return {"view": view, "program": program, "groups": groups, "clients": clients, "forms": forms,
            "weekdays": [weekday_title(d, "abbreviated") for d in range(7)],
            "week_options": [(w, _("Week %(week)s", week=w)) for w in range(1, program.weeks + 1)],
            "weekday_options": weekday_options()}


@routes.get(r"/admin/programs/{program_id:\d+}", name="program")
async def program_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(BUILDER_PAGE, request, await _builder_context(request, row_id(request, "program_id")))


@routes.post(r"/admin/programs/{program_id:\d+}", name="program_save")
async def program_save(request: web.Request) -> web.Response:
    program_id = row_id(request, "program_id")
    me, data, form, errors = await user_form(request, ProgramForm)
    if form is None:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "program", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, program_id)
            await program_edits.edit_program(session, me.business_id, program_id, name=form.name, weeks=form.weeks,
                                             notes=form.notes)
    except InvalidTraining as error:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "program", data,
                                                                     refusal(error, NEW_PROGRAM)))
    raise done(request, _("Program %(name)s saved.", name=form.name), "program", program_id=str(program_id))


@routes.post(r"/admin/programs/{program_id:\d+}/copy", name="program_copy")
async def program_copy(request: web.Request) -> web.Response:
    program_id = row_id(request, "program_id")
    me, data, form, errors = await user_form(request, CopyForm)
    if form is None:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "program", data, errors))
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, program_id)
        copy = await program_edits.copy_program(session, me.business_id, program_id, request.app[RUNTIME].clock.now(),
                                                name=form.name)
    raise done(request, _("Copied to a new template, %(name)s.", name=copy.name), "program", program_id=str(copy.id))


@routes.post(r"/admin/programs/{program_id:\d+}/assign", name="program_assign")
async def program_assign(request: web.Request) -> web.Response:
    """The client's own copy from a start date; their previous program stops. 404 for a client not theirs to see."""
    program_id = row_id(request, "program_id")
    me, data, form, errors = await user_form(request, AssignForm)
    if form is None:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "assign", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, program_id)
            with not_found_as_404():
                await visible_client(session, me, form.client_id)
                copy = await program_edits.assign_program(session, me.business_id, program_id, form.client_id,
                                                          form.starts_on, request.app[RUNTIME].clock.now())
    except InvalidTraining as error:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "assign", data,
                                                                     refusal(error, ("client_id", "starts_on"))))
    raise done(request, _("Assigned from %(date)s: this is the client's own copy; editing it leaves the template as it is.",
                          date=short_date(form.starts_on)), "program", program_id=str(copy.id))


@routes.post(r"/admin/programs/{program_id:\d+}/days", name="program_day_add")
async def day_add(request: web.Request) -> web.Response:
    program_id = row_id(request, "program_id")
    me, data, form, errors = await user_form(request, DayForm)
    if form is None:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "day", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, program_id)
            day = await program_edits.add_day(session, me.business_id, program_id, week=form.week, weekday=form.weekday,
                                              title=form.title)
    except InvalidTraining as error:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "day", data,
                                                                     refusal(error, ("week", "weekday", "title"))))
    flash_text = _("Week %(week)s, %(weekday)s added: add its exercises.", week=day.week, weekday=weekday_name(day.weekday))
    raise done(request, flash_text, "program", program_id=str(program_id))


@routes.post(r"/admin/programs/{program_id:\d+}/days/{day_id:\d+}/remove", name="program_day_remove")
async def day_remove(request: web.Request) -> web.Response:
    program_id, me = row_id(request, "program_id"), identity(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, program_id)
        with not_found_as_404():
            day = await program_edits.remove_day(session, me.business_id, program_id, row_id(request, "day_id"))
    raise done(request, _("Week %(week)s, %(weekday)s removed with its exercises.", week=day.week,
                          weekday=weekday_name(day.weekday)), "program", program_id=str(program_id))


@routes.post(r"/admin/programs/{program_id:\d+}/items", name="program_item_add")
async def item_add(request: web.Request) -> web.Response:
    """An exercise at the end of a day; the day must be this program's (404 otherwise)."""
    program_id = row_id(request, "program_id")
    me, data, form, errors = await user_form(request, NewItemForm)
    if form is None:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "item", data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, program_id)
            with not_found_as_404():
                item = await program_edits.add_item(session, me.business_id, program_id, form.day_id, form.prescription())
            name = exercise_name(await library.business_library(session, me.business_id), item.exercise_key,
                                 (await business_of(session, me)).locale)
    except InvalidTraining as error:
        return invalid(BUILDER_PAGE, request, await _builder_context(request, program_id, "item", data,
                                                                     refusal(error, ITEM_FIELDS)))
    flash(request, _("%(name)s added.", name=name))
    back = request.app.router["program"].url_for(program_id=str(program_id)).with_query(day=str(form.day_id))
    raise web.HTTPFound(f"{back}#day-{form.day_id}")


async def _item_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me, program_id, item_id = identity(request), row_id(request, "program_id"), row_id(request, "item_id")
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        program = await _scoped(session, request, program_id)
        with not_found_as_404():
            item = await program_edits.get_item(session, me.business_id, program_id, item_id)
        known = await library.business_library(session, me.business_id)
        groups = await library_groups(session, me.business_id, business.locale)
    return {"program": program, "item": item, "name": exercise_name(known, item.exercise_key, business.locale),
            "groups": groups, "values": values or item_values(item), "errors": errors or {}}


@routes.get(r"/admin/programs/{program_id:\d+}/items/{item_id:\d+}", name="program_item")
async def item_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(ITEM_PAGE, request, await _item_context(request))


@routes.post(r"/admin/programs/{program_id:\d+}/items/{item_id:\d+}", name="program_item_save")
async def item_save(request: web.Request) -> web.Response:
    program_id, item_id = row_id(request, "program_id"), row_id(request, "item_id")
    me, data, form, errors = await user_form(request, ItemForm)
    if form is None:
        return invalid(ITEM_PAGE, request, await _item_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await _scoped(session, request, program_id)
            with not_found_as_404():
                await program_edits.edit_item(session, me.business_id, program_id, item_id, form.prescription())
    except InvalidTraining as error:
        return invalid(ITEM_PAGE, request, await _item_context(request, data, refusal(error, ITEM_FIELDS)))
    raise done(request, _("Exercise saved."), "program", program_id=str(program_id))


@routes.post(r"/admin/programs/{program_id:\d+}/items/{item_id:\d+}/remove", name="program_item_remove")
async def item_remove(request: web.Request) -> web.Response:
    program_id, me = row_id(request, "program_id"), identity(request)
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, program_id)
        with not_found_as_404():
            await program_edits.remove_item(session, me.business_id, program_id, row_id(request, "item_id"))
    raise done(request, _("Exercise removed."), "program", program_id=str(program_id))


@routes.post(r"/admin/programs/{program_id:\d+}/items/{item_id:\d+}/move", name="program_item_move")
async def item_move(request: web.Request) -> web.Response:
    program_id = row_id(request, "program_id")
    me, _data, form, _errors = await user_form(request, MoveForm)
    if form is None:
        raise done(request, _("Nothing moved: move an exercise up or down."), "program", program_id=str(program_id))
    async with request.app[RUNTIME].sessions.begin() as session:
        await _scoped(session, request, program_id)
        with not_found_as_404():
            await program_edits.move_item(session, me.business_id, program_id, row_id(request, "item_id"), form.step)
    raise web.HTTPFound(str(request.app.router["program"].url_for(program_id=str(program_id))))
