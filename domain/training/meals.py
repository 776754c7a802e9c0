"""A client's meal plan on a given day."""
from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Meal, MealPlan


async def active_meal_plan(session: AsyncSession, business_id: int, client_id: int) -> MealPlan | None:
    return await session.scalar(select(MealPlan).where(
        MealPlan.business_id == business_id, MealPlan.client_id == client_id, MealPlan.active.is_(True))
        .order_by(MealPlan.id.desc()).limit(1))


async def meals_on(session: AsyncSession, plan: MealPlan, on: date) -> list[Meal]:
    """The plan's meals for that weekday and those for every day, in order."""
    return list(await session.scalars(select(Meal).where(
        Meal.plan_id == plan.id, or_(Meal.weekday.is_(None), Meal.weekday == on.weekday()))
        .order_by(Meal.position, Meal.at_time, Meal.id)))
