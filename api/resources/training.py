"""Training: programs (templates and clients' own, one with its weeks, days and exercises) and the workout logs
clients send."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.operations import Call, Operation
from api.resources.common import after_id_cursor, after_time_cursor, business_of, page, within
from api.schemas import (
    Listing,
    ProgramDayOut,
    ProgramDetailOut,
    ProgramExerciseOut,
    ProgramOut,
    ProgramPage,
    ProgramWeekOut,
    WorkoutLogOut,
    WorkoutLogPage,
    WorkoutLogQuery,
)
from domain.models import Program, ProgramItem, WorkoutLog
from domain.training import library, program_edits, programs
from domain.training.library import Exercise


async def list_programs(call: Call[Listing, None]) -> ProgramPage:
    q = call.query
    async with call.runtime.sessions() as session:
        rows = (await session.execute(select(Program).where(Program.business_id == call.business_id, Program.active,
                                                            *after_id_cursor(Program.id, q.cursor))
                                      .order_by(Program.id).limit(q.limit + 1))).scalars().all()
    shown, cursor = page(rows, q.limit, lambda p: (p.id,))
    return ProgramPage(data=[ProgramOut(id=p.id, name=p.name, client_id=p.client_id, created_at=p.created_at) for p in shown],
                       next_cursor=cursor)


def _exercise(item: ProgramItem, known: dict[str, Exercise], locale: str) -> ProgramExerciseOut:
    found = known.get(item.exercise_key)
    return ProgramExerciseOut(id=item.id, exercise_key=item.exercise_key, exercise_name=found.name(locale) if found else None,
                              sets=item.sets, reps=item.reps, duration_s=item.duration_s, distance_m=item.distance_m,
                              load_kg=item.load_kg, load_pct_1rm=item.load_pct_1rm, rpe=item.rpe, rest_s=item.rest_s,
                              superset=item.superset, progression_kg=item.progression_kg, notes=item.notes)


async def get_program(call: Call[None, None]) -> ProgramDetailOut:
    """The program as the panel's program page shows it: each week, its training days, each day's exercises."""
    async with call.runtime.sessions() as session:
        program = await program_edits.get_program(session, call.business_id, call.ids["program_id"])
        days = await programs.program_days(session, program)
        known = await library.business_library(session, call.business_id)
        locale = (await business_of(session, call.business_id)).locale
    weeks = [ProgramWeekOut(week=n, days=[]) for n in range(1, program.weeks + 1)]
    for day, items in days:
        if 1 <= day.week <= program.weeks:  # a day left past a shortened program is not shown by the panel either
            weeks[day.week - 1].days.append(ProgramDayOut(id=day.id, weekday=day.weekday, title=day.title,
                                                          exercises=[_exercise(i, known, locale) for i in items]))
    return ProgramDetailOut(id=program.id, name=program.name, client_id=program.client_id, created_at=program.created_at,
                            template_id=program.template_id, weeks=weeks, notes=program.notes, starts_on=program.starts_on,
                            active=program.active)


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
    Operation("GET", "/programs/{program_id}", "getProgram", "One program with its weeks, days and exercises", "training",
              get_program, ProgramDetailOut, example_ids={"program_id": 1}, errors=(404,)),
    Operation("GET", "/workout-logs", "listWorkoutLogs", "Workout logs by day", "training", list_workout_logs, WorkoutLogPage,
              query=WorkoutLogQuery, example_query={"from": "2026-11-01", "client_id": 1}),
]
