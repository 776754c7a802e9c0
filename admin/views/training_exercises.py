"""Training → Exercise library (owners and trainers): the shipped exercises and the business's own, searched and
filtered by muscle; adding, changing and removing the business's own, with a video link."""
from __future__ import annotations

from typing import Any

import aiohttp_jinja2
from aiohttp import web

from admin.domain_words import words
from admin.forms.training import ExerciseForm
from admin.i18n import _
from admin.identity import identity
from admin.page_support import business_of
from admin.read_models.exercise_library import library_rows
from admin.read_models.training_plans import equipment_words, label_of, muscle_words
from admin.views.settings_support import done, invalid, not_found_as_404, row_id
from admin.views.training_support import refusal, user_form
from domain.models import CustomExercise
from domain.training import exercise_edits
from domain.training.library import EQUIPMENT, KINDS, MUSCLES
from domain.training.program_edits import InvalidTraining
from runtime.keys import RUNTIME

routes = web.RouteTableDef()

LIST_PAGE = "admin/exercises.html"
EDIT_PAGE = "admin/exercise_edit.html"
NEW = {"name_pt": "", "name_en": "", "aliases": "", "muscles": [], "equipment": "other", "kind": "strength", "video_url": ""}


def _kind_labels() -> dict[str, str]:
    return {"strength": _("Sets × reps with a load"), "bodyweight": _("Sets × reps, bodyweight"), "time": _("A time"),
            "distance": _("A distance (and time)")}


def _choices() -> dict[str, Any]:
    """The form's options and the page's labels, in the request's language."""
    muscles, gear, kinds = muscle_words(), equipment_words(), _kind_labels()
    return {"muscles": [(m, label_of(muscles, m)) for m in MUSCLES], "equipment": [(e, label_of(gear, e)) for e in EQUIPMENT],
            "kinds": [(k, kinds[k]) for k in KINDS], "muscle_label": lambda m: label_of(muscles, m),
            "equipment_label": lambda e: label_of(gear, e)}


def _values(row: CustomExercise) -> dict[str, Any]:
    return {"name_pt": row.name_pt, "name_en": row.name_en, "aliases": ", ".join(row.aliases or []),
            "muscles": list(row.muscles or []), "equipment": row.equipment, "kind": row.kind, "video_url": row.video_url or ""}


async def _list_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    query = request.query.get("q", "").strip()[:100]
    muscle = request.query.get("muscle") if request.query.get("muscle") in MUSCLES else None
    async with request.app[RUNTIME].sessions() as session:
        business = await business_of(session, me)
        own, shipped = await library_rows(session, me.business_id, business.locale, query=query, muscle=muscle)
    return {"own": own, "shipped": shipped, "query": query, "muscle": muscle or "", "values": values or NEW,
            "errors": errors or {}, **_choices()}


@routes.get("/admin/exercises", name="exercises")
async def exercises_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(LIST_PAGE, request, await _list_context(request))


@routes.post("/admin/exercises", name="exercise_add")
async def exercise_add(request: web.Request) -> web.Response:
    me, data, form, errors = await user_form(request, ExerciseForm, many=("muscles",))
    if form is None:
        return invalid(LIST_PAGE, request, await _list_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            await exercise_edits.add_custom(session, me.business_id, request.app[RUNTIME].clock.now(), form.fields())
    except InvalidTraining as error:
        return invalid(LIST_PAGE, request, await _list_context(request, data, refusal(error, NEW)))
    raise done(request, _("Exercise added: programs can use it now."), "exercises")


async def _edit_context(request: web.Request, values: dict[str, Any] | None = None,
                        errors: dict[str, str] | None = None) -> dict[str, Any]:
    me = identity(request)
    async with request.app[RUNTIME].sessions() as session:
        with not_found_as_404():
            row = await exercise_edits.get_custom(session, me.business_id, row_id(request, "exercise_id"))
    return {"row": row, "values": values or _values(row), "errors": errors or {}, **_choices()}


@routes.get(r"/admin/exercises/{exercise_id:\d+}", name="exercise")
async def exercise_page(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template(EDIT_PAGE, request, await _edit_context(request))


@routes.post(r"/admin/exercises/{exercise_id:\d+}", name="exercise_save")
async def exercise_save(request: web.Request) -> web.Response:
    exercise_id = row_id(request, "exercise_id")
    me, data, form, errors = await user_form(request, ExerciseForm, many=("muscles",))
    if form is None:
        return invalid(EDIT_PAGE, request, await _edit_context(request, data, errors))
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            with not_found_as_404():
                await exercise_edits.edit_custom(session, me.business_id, exercise_id, form.fields())
    except InvalidTraining as error:
        return invalid(EDIT_PAGE, request, await _edit_context(request, data, refusal(error, NEW)))
    raise done(request, _("Exercise saved."), "exercises")


@routes.post(r"/admin/exercises/{exercise_id:\d+}/remove", name="exercise_remove")
async def exercise_remove(request: web.Request) -> web.Response:
    """Remove an exercise nothing uses; one a program prescribes or a client logged stays, and the page says why."""
    me = identity(request)
    try:
        async with request.app[RUNTIME].sessions.begin() as session:
            with not_found_as_404():
                row = await exercise_edits.remove_custom(session, me.business_id, row_id(request, "exercise_id"))
    except InvalidTraining as error:
        why = _("Not removed: %(reason)s", reason=words(error))
        return invalid(EDIT_PAGE, request, await _edit_context(request, errors={"form": why}))
    raise done(request, _("Exercise %(name)s removed from the library.", name=row.name_pt), "exercises")
