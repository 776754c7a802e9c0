"""Training: programs (templates and clients' own) and the workout logs clients send."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.operations import Call, Operation
from api.resources.common import after_id_cursor, after_time_cursor, business_of, page, within
from api.schemas import Listing, ProgramOut, ProgramPage, WorkoutLogOut, WorkoutLogPage, WorkoutLogQuery
from domain.models import Program, WorkoutLog


async def list_programs(call: Call[Listing, None]) -> ProgramPage:
    q = call.query
    async with call.runtime.sessions() as session:
        rows = (await session.execute(select(Program).where(Program.business_id == call.business_id, Program.active,
                                                            *after_id_cursor(Program.id, q.cursor))
                                      .order_by(Program.id).limit(q.limit + 1))).scalars().all()
    shown, cursor = page(rows, q.limit, lambda p: (p.id,))
    return ProgramPage(data=[ProgramOut(id=p.id, name=p.name, client_id=p.client_id, created_at=p.created_at) for p in shown],
                       next_cursor=cursor)


async def list_workout_logs(call: Call[WorkoutLogQuery, None]) -> WorkoutLogPage:
    q = call.query
    async with call.runtime.sessions() as session:
        business = await business_of(session, call.business_id)
        filters: list[Any] = [WorkoutLog.business_id == call.business_id, *within(WorkoutLog.logged_at, business, q),
                              *after_time_cursor(WorkoutLog.logged_at, WorkoutLog.id, q.cursor)]
        if q.client_id:
            filters.append(WorkoutLog.client_id == q.client_id)
        rows = (await session.execute(select(WorkoutLog).where(*filters).order_by(WorkoutLog.logged_at, WorkoutLog.id)
                                      .limit(q.limit + 1))).scalars().all()
    shown, cursor = page(rows, q.limit, lambda w: (w.logged_at, w.id))
    return WorkoutLogPage(data=[WorkoutLogOut(id=w.id, client_id=w.client_id, exercise_key=w.exercise_key, sets=w.sets, reps=w.reps,
                                              load_kg=w.load_kg, distance_m=w.distance_m, duration_s=w.duration_s, text=w.text,
                                              logged_at=w.logged_at) for w in shown], next_cursor=cursor)


OPERATIONS = [
    Operation("GET", "/programs", "listPrograms", "Training programs", "training", list_programs, ProgramPage, query=Listing,
              example_query={"limit": 20}),
    Operation("GET", "/workout-logs", "listWorkoutLogs", "Workout logs by day", "training", list_workout_logs, WorkoutLogPage,
              query=WorkoutLogQuery, example_query={"from": "2026-11-01", "client_id": 1}),
]
