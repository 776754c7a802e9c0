"""A client's program, meal plan and a studio challenge, written straight to the database for chat tests."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Challenge, Meal, MealPlan, Program, ProgramDay, ProgramItem

# Week 1 of a two-day program: Monday upper body, Wednesday legs and a run; the rest are rest days.
DAYS: dict[int, tuple[str, list[dict[str, Any]]]] = {
    0: ("Treino A — peito e tríceps", [
        {"exercise_key": "bench_press", "sets": 4, "reps": 10, "load_kg": 40.0, "rest_s": 90, "progression_kg": 2.5},
        {"exercise_key": "incline_dumbbell_press", "sets": 3, "reps": 12, "load_kg": 14.0, "superset": "A"},
        {"exercise_key": "triceps_pushdown", "sets": 3, "reps": 12, "load_kg": 20.0, "superset": "A",
         "notes": "cotovelos colados"},
        {"exercise_key": "plank", "sets": 3, "duration_s": 45}]),
    2: ("Treino B — pernas", [
        {"exercise_key": "back_squat", "sets": 4, "reps": 8, "load_kg": 60.0},
        {"exercise_key": "leg_press", "sets": 3, "reps": 12, "load_kg": 120.0},
        {"exercise_key": "running", "distance_m": 3000}]),
}


async def add_program(session: AsyncSession, business_id: int, client_id: int, starts_on: date, now: datetime,
                      days: dict[int, tuple[str, list[dict[str, Any]]]] | None = None) -> Program:
    program = Program(business_id=business_id, client_id=client_id, name="Hipertrofia 1", weeks=1, starts_on=starts_on,
                      created_at=now)
    session.add(program)
    await session.flush()
    for weekday, (title, items) in (days or DAYS).items():
        day = ProgramDay(program_id=program.id, week=1, weekday=weekday, title=title)
        session.add(day)
        await session.flush()
        session.add_all(ProgramItem(day_id=day.id, position=n, **item) for n, item in enumerate(items))
    await session.flush()
    return program


async def add_meal_plan(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> MealPlan:
    plan = MealPlan(business_id=business_id, client_id=client_id, name="Cutting", created_at=now)
    session.add(plan)
    await session.flush()
    session.add_all([
        Meal(plan_id=plan.id, position=0, name="Café da manhã", at_time="07:30", items="2 ovos\n1 fatia de pão integral\nCafé sem açúcar"),
        Meal(plan_id=plan.id, position=1, name="Almoço", at_time="12:30", items="Arroz integral\nFrango grelhado\nSalada",
             notes="capriche na salada"),
        Meal(plan_id=plan.id, position=2, weekday=0, name="Pós-treino", items="Whey com banana"),
    ])
    await session.flush()
    return plan


async def add_challenge(session: AsyncSession, business_id: int, today: date, now: datetime) -> Challenge:
    challenge = Challenge(business_id=business_id, name="12 treinos em dezembro", target=12, starts_on=today,
                          ends_on=today + timedelta(days=30), created_at=now)
    session.add(challenge)
    await session.flush()
    return challenge
