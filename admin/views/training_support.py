"""What the training pages share: forms any panel user posts, scoping a program or meal plan to the user,
and the domain's refusals as form errors, in the panel's language."""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.forms.form_errors import Form, validate
from admin.i18n import _, ngettext
from admin.identity import Identity, identity
from admin.page_support import staff_scope
from admin.read_models import panel_choices
from admin.read_models.client_directory import get_visible
from admin.views.settings_support import form_data
from domain.models import MealPlan, Program
from domain.training.program_edits import InvalidTraining


async def user_form(request: web.Request, model: type[Form], *, many: tuple[str, ...] = ()
                    ) -> tuple[Identity, dict[str, Any], Form | None, dict[str, str]]:
    """The owner or trainer posting, the raw fields, and the validated form or its errors."""
    me = identity(request)
    data = await form_data(request, many=many)
    form, errors = validate(model, data)
    return me, data, form, errors


def refusal(error: InvalidTraining, fields: Collection[str]) -> dict[str, str]:
    """The domain's refusal next to its field, or above the form when the form has no such field."""
    return {error.field if error.field in fields else "form": training_words(error)}


def _fixed() -> dict[str, str]:
    """The training rules' refusals (domain.training) that hold no number, as the panel says them ("%%" is a "%")."""
    return {
        "Give the program a name.": _("Give the program a name."),
        "Pick a weekday.": _("Pick a weekday."),
        "That day of that week already is a training day: add exercises to it.":
            _("That day of that week already is a training day: add exercises to it."),
        "Pick an exercise from the library.": _("Pick an exercise from the library."),
        "Prescribe reps, a time or a distance: one of them.": _("Prescribe reps, a time or a distance: one of them."),
        "Give the load in kg, in % of 1RM or as RPE: one of them.":
            _("Give the load in kg, in %% of 1RM or as RPE: one of them.") % {},
        "A time from 1 second to 24 hours.": _("A time from 1 second to 24 hours."),
        "From 1% to 100% of 1RM.": _("From 1%% to 100%% of 1RM.") % {},
        "An RPE from 1 to 10.": _("An RPE from 1 to 10."),
        "Progression adds kg to a load in kg: give the load in kg.":
            _("Progression adds kg to a load in kg: give the load in kg."),
        "Move one place up or down.": _("Move one place up or down."),
        "This client's data was erased.": _("This client's data was erased."),
        "Assign a template; this program already is a client's own copy.":
            _("Assign a template; this program already is a client's own copy."),
        "Give the meal plan a name.": _("Give the meal plan a name."),
        "Write what the meal holds, one item a line.": _("Write what the meal holds, one item a line."),
        "Write the time as HH:MM, e.g. 07:30.": _("Write the time as HH:MM, e.g. 07:30."),
        "Pick a weekday, or every day.": _("Pick a weekday, or every day."),
        "Name the meal (e.g. Breakfast).": _("Name the meal (e.g. Breakfast)."),
        "Assign a template; this meal plan already is a client's own copy.":
            _("Assign a template; this meal plan already is a client's own copy."),
        "Give the video's web address, starting with https://.": _("Give the video's web address, starting with https://."),
        "Name the exercise (in Portuguese, English or both).": _("Name the exercise (in Portuguese, English or both)."),
        "Pick the muscles it works from the list.": _("Pick the muscles it works from the list."),
        "Pick the equipment from the list.": _("Pick the equipment from the list."),
        "Pick how it is measured from the list.": _("Pick how it is measured from the list."),
        "Clients have logged it, so it stays in the library to name their logs.":
            _("Clients have logged it, so it stays in the library to name their logs."),
        "Give the challenge a name.": _("Give the challenge a name."),
        "The challenge cannot end before it starts.": _("The challenge cannot end before it starts."),
    }


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Use at most (\d+) characters\."), lambda m: _("Use at most %(count)s characters.", count=m[1])),
    (re.compile(r"A program lasts 1 to (\d+) weeks\."), lambda m: _("A program lasts 1 to %(weeks)s weeks.", weeks=m[1])),
    (re.compile(r"Week (\d+) has training days: remove them before shortening the program\."),
     lambda m: _("Week %(week)s has training days: remove them before shortening the program.", week=m[1])),
    (re.compile(r"This program has weeks 1 to (\d+)\."), lambda m: _("This program has weeks 1 to %(weeks)s.", weeks=m[1])),
    (re.compile(r"From 1 to (\d+) sets\."), lambda m: _("From 1 to %(sets)s sets.", sets=m[1])),
    (re.compile(r"From 1 to (\d+) reps\."), lambda m: _("From 1 to %(reps)s reps.", reps=m[1])),
    (re.compile(r"A distance from 1 to (\d+) metres\."),
     lambda m: _("A distance from 1 to %(metres)s metres.", metres=m[1])),
    (re.compile(r"A load from 0\.1 to (\d+) kg\."), lambda m: _("A load from 0.1 to %(kg)s kg.", kg=m[1])),
    (re.compile(r"Rest from 0 to (\d+) seconds\."), lambda m: _("Rest from 0 to %(seconds)s seconds.", seconds=m[1])),
    (re.compile(r"A step from -(\d+) to (\d+) kg\."), lambda m: _("A step from -%(kg)s to %(kg)s kg.", kg=m[2])),
    (re.compile(r"At most (\d+) other names, of at most (\d+) characters each\."),
     lambda m: _("At most %(names)s other names, of at most %(characters)s characters each.", names=m[1],
                 characters=m[2])),
    (re.compile(r"(\d+) programs? prescribe it: take it out of them first\."),
     lambda m: ngettext("%(num)s program prescribe it: take it out of them first.",
                        "%(num)s programs prescribe it: take it out of them first.", int(m[1]))),
    (re.compile(r"The target is from 1 to (\d+) training days\."),
     lambda m: _("The target is from 1 to %(days)s training days.", days=m[1])),
]


def training_words(error: Exception) -> str:
    """A training rule's refusal (a program, meal plan, exercise or challenge) in the panel's language; one this
    table does not know, as the rule says it."""
    text = str(error)
    fixed = _fixed().get(text)
    if fixed is not None:
        return fixed
    for pattern, say in _PATTERNS:
        if (found := pattern.fullmatch(text)) is not None:
            return say(found)
    return text


async def check_visible(session: AsyncSession, me: Identity, plan: Program | MealPlan) -> None:
    """A client's copy is the owner's, or a trainer's when the client is theirs; NotFound otherwise."""
    if plan.client_id is not None:
        await get_visible(session, me.business_id, staff_scope(me), plan.client_id)


async def visible_client(session: AsyncSession, me: Identity, client_id: int) -> None:
    """NotFound unless this user may see the client."""
    await get_visible(session, me.business_id, staff_scope(me), client_id)


async def client_choices(session: AsyncSession, me: Identity, request: web.Request) -> list[panel_choices.Choice]:
    """The clients a plan can be assigned to: those the page's search (?client_q=) finds, else the latest active."""
    return await panel_choices.clients(session, me.business_id, staff_id=staff_scope(me),
                                       query=request.query.get("client_q", "")[:120])

