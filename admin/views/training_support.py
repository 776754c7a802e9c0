"""What the training pages share: forms any panel user posts, scoping a program or meal plan to the user,
and the domain's refusals as form errors, in the panel's language."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.domain_words import words
from admin.forms.form_errors import Form, validate
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
    return {error.field if error.field in fields else "form": words(error)}


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

