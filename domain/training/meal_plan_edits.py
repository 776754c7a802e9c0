"""Meal plans as the panel edits them: templates and clients' copies, their meals, copying and assigning.

Meals are kept in the order of their times (meals without a time last), which is the order the chat sends them in.
"""
from __future__ import annotations

import re
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Meal, MealPlan
from domain.training.program_edits import NAME_MAX, NOTES_MAX, InvalidTraining, assignable_client, checked_text

MEAL_NAME_MAX = 80
MEAL_NOTES_MAX = 300
ITEMS_MAX = 2000
_TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)


async def get_plan(session: AsyncSession, business_id: int, plan_id: int) -> MealPlan:
    """The business's meal plan; another business's id is NotFound."""
    plan = await session.get(MealPlan, plan_id)
    if plan is None or plan.business_id != business_id:
        raise NotFound(f"meal plan {plan_id} not found")
    return plan


async def get_meal(session: AsyncSession, business_id: int, plan_id: int, meal_id: int) -> Meal:
    await get_plan(session, business_id, plan_id)
    meal = await session.get(Meal, meal_id)
    if meal is None or meal.plan_id != plan_id:
        raise NotFound(f"meal {meal_id} not found")
    return meal


async def _meals(session: AsyncSession, plan_id: int) -> list[Meal]:
    return list(await session.scalars(select(Meal).where(Meal.plan_id == plan_id).order_by(Meal.position, Meal.id)))


async def meals_of(session: AsyncSession, business_id: int, plan_id: int) -> list[Meal]:
    """The plan's meals in the order the chat sends them; another business's plan is NotFound."""
    return await _meals(session, (await get_plan(session, business_id, plan_id)).id)


def _checked_plan(name: str, notes: str | None) -> tuple[str, str | None]:
    return (checked_text("name", name, NAME_MAX, required="Give the meal plan a name.") or "",
            checked_text("notes", notes, NOTES_MAX))


async def create_plan(session: AsyncSession, business_id: int, now: datetime, *, name: str, notes: str | None = None
                      ) -> MealPlan:
    """A new template (no client)."""
    name, notes = _checked_plan(name, notes)
    plan = MealPlan(business_id=business_id, name=name, notes=notes, active=True, created_at=now)
    session.add(plan)
    await session.flush()
    return plan


async def edit_plan(session: AsyncSession, business_id: int, plan_id: int, *, name: str, notes: str | None = None
                    ) -> MealPlan:
    plan = await get_plan(session, business_id, plan_id)
    plan.name, plan.notes = _checked_plan(name, notes)
    await session.flush()
    return plan


def _items(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise InvalidTraining("items", "Write what the meal holds, one item a line.")
    joined = "\n".join(lines)
    if len(joined) > ITEMS_MAX:
        raise InvalidTraining("items", f"Use at most {ITEMS_MAX} characters.")
    return joined


def _time(text: str | None) -> str | None:
    at = (text or "").strip()
    if not at:
        return None
    found = _TIME.fullmatch(at)
    if found is None or int(found[1]) > 23 or int(found[2]) > 59:
        raise InvalidTraining("at_time", "Write the time as HH:MM, e.g. 07:30.")
    return f"{int(found[1]):02d}:{found[2]}"


def _apply(meal: Meal, weekday: int | None, name: str, at_time: str | None, items: str, notes: str | None) -> None:
    if weekday is not None and not 0 <= weekday <= 6:
        raise InvalidTraining("weekday", "Pick a weekday, or every day.")
    checked = (checked_text("name", name, MEAL_NAME_MAX, required="Name the meal (e.g. Breakfast).") or "",
               _time(at_time), _items(items), checked_text("notes", notes, MEAL_NOTES_MAX))
    meal.weekday = weekday
    meal.name, meal.at_time, meal.items, meal.notes = checked


async def _reorder(session: AsyncSession, plan_id: int) -> None:
    meals = await _meals(session, plan_id)
    for position, meal in enumerate(sorted(meals, key=lambda m: (m.at_time is None, m.at_time or "", m.position, m.id))):
        meal.position = position
    await session.flush()


async def add_meal(session: AsyncSession, business_id: int, plan_id: int, *, weekday: int | None, name: str,
                   at_time: str | None, items: str, notes: str | None = None) -> Meal:
    """A meal on one weekday (0 = Monday) or, with weekday None, every day."""
    plan = await get_plan(session, business_id, plan_id)
    meal = Meal(plan_id=plan.id, position=len(await _meals(session, plan.id)))
    _apply(meal, weekday, name, at_time, items, notes)
    session.add(meal)
    await session.flush()
    await _reorder(session, plan.id)
    return meal


async def edit_meal(session: AsyncSession, business_id: int, plan_id: int, meal_id: int, *, weekday: int | None, name: str,
                    at_time: str | None, items: str, notes: str | None = None) -> Meal:
    meal = await get_meal(session, business_id, plan_id, meal_id)
    _apply(meal, weekday, name, at_time, items, notes)
    await session.flush()
    await _reorder(session, plan_id)
    return meal


async def remove_meal(session: AsyncSession, business_id: int, plan_id: int, meal_id: int) -> Meal:
    meal = await get_meal(session, business_id, plan_id, meal_id)
    await session.delete(meal)
    await session.flush()
    await _reorder(session, plan_id)
    return meal


async def _clone(session: AsyncSession, source: MealPlan, now: datetime, **changes: object) -> MealPlan:
    copy = MealPlan(business_id=source.business_id, name=source.name, notes=source.notes, active=True, created_at=now)
    for name, value in changes.items():
        setattr(copy, name, value)
    session.add(copy)
    await session.flush()
    session.add_all(Meal(plan_id=copy.id, weekday=m.weekday, position=m.position, name=m.name, at_time=m.at_time,
                         items=m.items, notes=m.notes) for m in await _meals(session, source.id))
    await session.flush()
    return copy


async def copy_plan(session: AsyncSession, business_id: int, plan_id: int, now: datetime, *, name: str | None = None
                    ) -> MealPlan:
    """A new template with the same meals."""
    source = await get_plan(session, business_id, plan_id)
    new_name = checked_text("name", name, NAME_MAX) or f"{source.name[:NAME_MAX - 7]} (copy)"
    return await _clone(session, source, now, name=new_name, client_id=None, template_id=None, starts_on=None)


async def assign_plan(session: AsyncSession, business_id: int, plan_id: int, client_id: int, starts_on: date,
                      now: datetime) -> MealPlan:
    """The client's own copy of a template from `starts_on`; their previous active meal plan stops."""
    template = await get_plan(session, business_id, plan_id)
    if template.client_id is not None:
        raise InvalidTraining("client_id", "Assign a template; this meal plan already is a client's own copy.")
    await assignable_client(session, business_id, client_id)
    await session.execute(update(MealPlan).where(MealPlan.business_id == business_id, MealPlan.client_id == client_id,
                                                 MealPlan.active.is_(True)).values(active=False))
    return await _clone(session, template, now, client_id=client_id, template_id=template.id, starts_on=starts_on)
