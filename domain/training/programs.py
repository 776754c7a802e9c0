"""A client's program on a given day: which of its days falls on a local date, its items, the next
training day, and progression applied as a day is sent."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Program, ProgramDay, ProgramItem, WorkoutLog


@dataclass(frozen=True)
class DayPlan:
    program: Program
    day: ProgramDay | None  # None: a rest day
    items: list[ProgramItem]
    on: date


async def active_program(session: AsyncSession, business_id: int, client_id: int) -> Program | None:
    """The client's own active copy (the newest when there are several)."""
    return await session.scalar(select(Program).where(
        Program.business_id == business_id, Program.client_id == client_id, Program.active.is_(True))
        .order_by(Program.id.desc()).limit(1))


def week_of(program: Program, on: date) -> int | None:
    """Which week of the program a local date is in (1..weeks, starting over after the last); None before it starts."""
    start = program.starts_on or program.created_at.date()
    if on < start:
        return None
    first_monday = start - timedelta(days=start.weekday())
    return ((on - first_monday).days // 7) % program.weeks + 1


async def day_plan(session: AsyncSession, program: Program, on: date) -> DayPlan:
    week = week_of(program, on)
    day = None if week is None else await session.scalar(select(ProgramDay).where(
        ProgramDay.program_id == program.id, ProgramDay.week == week, ProgramDay.weekday == on.weekday()))
    items = [] if day is None else await day_items(session, day.id)
    return DayPlan(program, day if items else None, items, on)


async def next_training_day(session: AsyncSession, program: Program, after: date) -> DayPlan | None:
    """The first day after `after` with exercises, within one pass of the program."""
    days = {(d.week, d.weekday) for d in await session.scalars(
        select(ProgramDay).where(ProgramDay.program_id == program.id,
                                 ProgramDay.id.in_(select(ProgramItem.day_id))))}
    for ahead in range(1, 7 * program.weeks + 8):
        on = after + timedelta(days=ahead)
        if (week := week_of(program, on)) is not None and (week, on.weekday()) in days:
            return await day_plan(session, program, on)
    return None


async def apply_progression(session: AsyncSession, client_id: int, items: list[ProgramItem]) -> list[ProgramItem]:
    """Raise an item's load by its step when the client's last log of it did every prescribed rep at that load.

    The raised load is above the one logged, so sending the day again does not raise it twice.
    """
    raised = []
    for item in items:
        if not item.progression_kg or item.load_kg is None or not item.sets or not item.reps:
            continue
        last = await session.scalar(select(WorkoutLog).where(
            WorkoutLog.client_id == client_id, WorkoutLog.item_id == item.id).order_by(WorkoutLog.id.desc()).limit(1))
        if (last is not None and (last.sets or 0) >= item.sets and (last.reps or 0) >= item.reps
                and (last.load_kg or 0) >= item.load_kg - 0.01):
            item.load_kg = round(item.load_kg + item.progression_kg, 2)
            raised.append(item)
    await session.flush()
    return raised


async def client_item(session: AsyncSession, business_id: int, client_id: int, item_id: int) -> tuple[ProgramItem, ProgramDay] | None:
    """An item of one of this client's own programs (a button's id is checked against who taps it)."""
    row = (await session.execute(
        select(ProgramItem, ProgramDay).join(ProgramDay, ProgramDay.id == ProgramItem.day_id)
        .join(Program, Program.id == ProgramDay.program_id)
        .where(ProgramItem.id == item_id, Program.business_id == business_id, Program.client_id == client_id))).first()
    return (row[0], row[1]) if row else None


async def day_items(session: AsyncSession, day_id: int) -> list[ProgramItem]:
    return list(await session.scalars(select(ProgramItem).where(ProgramItem.day_id == day_id)
                                      .order_by(ProgramItem.position, ProgramItem.id)))


async def program_days(session: AsyncSession, program: Program) -> list[tuple[ProgramDay, list[ProgramItem]]]:
    """Every training day of the program by week and weekday, each with its items in order (two queries)."""
    days = list(await session.scalars(select(ProgramDay).where(ProgramDay.program_id == program.id)
                                      .order_by(ProgramDay.week, ProgramDay.weekday)))
    items: dict[int, list[ProgramItem]] = {d.id: [] for d in days}
    if days:
        for item in await session.scalars(select(ProgramItem).where(ProgramItem.day_id.in_(items))
                                          .order_by(ProgramItem.position, ProgramItem.id)):
            items[item.day_id].append(item)
    return [(d, items[d.id]) for d in days]
