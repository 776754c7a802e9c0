"""The demo's training: a seven-day program (a template and Maria's copy), her meal plan, and a challenge
of the month that two clients have joined."""
from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Challenge, ChallengeEntry, Meal, MealPlan, Program, ProgramDay, ProgramItem


def _item(key: str, sets: int | None = None, reps: int | None = None, kg: float | None = None, **more: Any) -> dict[str, Any]:
    return {"exercise_key": key, "sets": sets, "reps": reps, "load_kg": kg, **more}


WEEK: list[tuple[str, list[dict[str, Any]]]] = [
    ("A — peito e tríceps", [_item("bench_press", 4, 10, 40.0, rest_s=90, progression_kg=2.5),
                             _item("incline_dumbbell_press", 3, 12, 14.0, rest_s=60),
                             _item("triceps_pushdown", 3, 12, 20.0, superset="A"),
                             _item("overhead_triceps_extension", 3, 12, 10.0, superset="A")]),
    ("B — costas e bíceps", [_item("lat_pulldown", 4, 10, 45.0, rest_s=90), _item("seated_cable_row", 3, 12, 40.0),
                             _item("barbell_curl", 3, 10, 20.0), _item("hammer_curl", 3, 12, 10.0)]),
    ("C — pernas", [_item("back_squat", 4, 8, 60.0, rest_s=120, progression_kg=2.5), _item("leg_press", 3, 12, 120.0),
                    _item("leg_extension", 3, 15, 35.0), _item("standing_calf_raise", 4, 15, 40.0)]),
    ("D — ombros e core", [_item("overhead_press", 4, 8, 30.0, rest_s=90), _item("lateral_raise", 3, 15, 6.0),
                           _item("plank", 3, duration_s=45), _item("russian_twist", 3, 20)]),
    ("E — posterior e glúteos", [_item("romanian_deadlift", 4, 10, 50.0, rest_s=90), _item("hip_thrust", 4, 10, 70.0),
                                 _item("lying_leg_curl", 3, 12, 30.0, notes="desça devagar")]),
    ("F — cardio", [_item("running", distance_m=5000, notes="ritmo confortável"), _item("jump_rope", 3, duration_s=60),
                    _item("burpee", 3, 10)]),
    ("G — recuperação ativa", [_item("walking", distance_m=3000), _item("glute_bridge", 3, 15),
                               _item("side_plank", 3, duration_s=30)]),
]
MEALS = [("Café da manhã", "07:00", "Omelete de 2 ovos\n1 fatia de pão integral\nMamão"),
         ("Almoço", "12:30", "Arroz e feijão\nFrango grelhado (150 g)\nSalada à vontade"),
         ("Lanche", "16:00", "Iogurte natural\nAveia (2 colheres)"),
         ("Jantar", "20:00", "Peixe assado\nLegumes no vapor")]


async def seed_training(session: AsyncSession, business_id: int, client_ids: list[int], today: date, now: datetime) -> None:
    template = await _program(session, business_id, None, None, None, now)
    await _program(session, business_id, client_ids[0], template.id, today - timedelta(days=today.weekday()), now)
    plan = MealPlan(business_id=business_id, client_id=client_ids[0], name="Plano equilibrado", starts_on=today, created_at=now)
    session.add(plan)
    await session.flush()
    session.add_all(Meal(plan_id=plan.id, position=n, name=name, at_time=at, items=items) for n, (name, at, items) in enumerate(MEALS))
    first = today.replace(day=1)
    challenge = Challenge(business_id=business_id, name="12 treinos no mês", target=12, starts_on=first,
                          ends_on=first.replace(day=monthrange(first.year, first.month)[1]), created_at=now)
    session.add(challenge)
    await session.flush()
    session.add_all(ChallengeEntry(challenge_id=challenge.id, client_id=c, business_id=business_id, on_leaderboard=True,
                                   joined_at=now) for c in client_ids[1:])
    await session.flush()


async def _program(session: AsyncSession, business_id: int, client_id: int | None, template_id: int | None,
                   starts_on: date | None, now: datetime) -> Program:
    program = Program(business_id=business_id, client_id=client_id, template_id=template_id, name="Hipertrofia 7 dias",
                      weeks=1, starts_on=starts_on, created_at=now)
    session.add(program)
    await session.flush()
    for weekday, (title, items) in enumerate(WEEK):
        day = ProgramDay(program_id=program.id, week=1, weekday=weekday, title=title)
        session.add(day)
        await session.flush()
        session.add_all(ProgramItem(day_id=day.id, position=n, **item) for n, item in enumerate(items))
    await session.flush()
    return program
