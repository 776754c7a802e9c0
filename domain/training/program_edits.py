"""Programs as the panel edits them: templates and clients' copies, their days and prescribed exercises,
copying a template and assigning it to a client. Every function is scoped by the business."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.models import Client, Program, ProgramDay, ProgramItem
from domain.sql.types import MAX_BIG_ID
from domain.training import library

NAME_MAX = 120
DAY_TITLE_MAX = 120
NOTES_MAX = 2000
ITEM_NOTES_MAX = 300
SUPERSET_MAX = 8
MAX_WEEKS = 52
MAX_SETS = 20
MAX_REPS = 200
MAX_DURATION_S = 24 * 3600
MAX_DISTANCE_M = 200_000
MAX_LOAD_KG = 1000.0
MAX_REST_S = 3600
MAX_PROGRESSION_KG = 50.0


class InvalidTraining(DomainError):
    """A program, meal plan or exercise the panel cannot store as given; `field` says which input is wrong."""

    code = "invalid_training"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Prescription:
    """What a program item asks for: sets of reps, a time or a distance, at a load in kg, % of 1RM or RPE."""

    exercise_key: str
    sets: int | None = None
    reps: int | None = None
    duration_s: int | None = None
    distance_m: int | None = None
    load_kg: float | None = None
    load_pct_1rm: int | None = None
    rpe: float | None = None
    rest_s: int | None = None
    superset: str | None = None
    progression_kg: float | None = None
    notes: str | None = None


def checked_text(field: str, value: str | None, limit: int, *, required: str | None = None) -> str | None:
    """The text stripped (None when blank); InvalidTraining when required and blank, or too long."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidTraining(field, required)
        return None
    if len(text) > limit:
        raise InvalidTraining(field, f"Use at most {limit} characters.")
    return text


def _in_range(field: str, value: float | None, low: float, high: float, words: str) -> None:
    if value is not None and not low <= value <= high:
        raise InvalidTraining(field, words)


async def get_program(session: AsyncSession, business_id: int, program_id: int) -> Program:
    """The business's program (a template or a client's copy); another business's id is NotFound."""
    program = await session.get(Program, program_id)
    if program is None or program.business_id != business_id:
        raise NotFound(f"program {program_id} not found")
    return program


async def _day(session: AsyncSession, business_id: int, program_id: int, day_id: int) -> tuple[Program, ProgramDay]:
    program = await get_program(session, business_id, program_id)
    day = await session.get(ProgramDay, day_id)
    if day is None or day.program_id != program.id:
        raise NotFound(f"program day {day_id} not found")
    return program, day


async def get_item(session: AsyncSession, business_id: int, program_id: int, item_id: int) -> ProgramItem:
    """The program's item; an item of another program or business is NotFound."""
    await get_program(session, business_id, program_id)
    item = await session.get(ProgramItem, item_id)
    day = None if item is None else await session.get(ProgramDay, item.day_id)
    if item is None or day is None or day.program_id != program_id:
        raise NotFound(f"program item {item_id} not found")
    return item


def _checked_program(name: str, weeks: int, notes: str | None) -> tuple[str, str | None]:
    checked = checked_text("name", name, NAME_MAX, required="Give the program a name.")
    _in_range("weeks", weeks, 1, MAX_WEEKS, f"A program lasts 1 to {MAX_WEEKS} weeks.")
    return checked or "", checked_text("notes", notes, NOTES_MAX)


async def create_program(session: AsyncSession, business_id: int, now: datetime, *, name: str, weeks: int,
                         notes: str | None = None) -> Program:
    """A new template (no client)."""
    name, notes = _checked_program(name, weeks, notes)
    program = Program(business_id=business_id, name=name, weeks=weeks, notes=notes, active=True, created_at=now)
    session.add(program)
    await session.flush()
    return program


async def edit_program(session: AsyncSession, business_id: int, program_id: int, *, name: str, weeks: int,
                       notes: str | None = None) -> Program:
    """Rename, change its length or notes; fewer weeks only when the weeks dropped have no days."""
    program = await get_program(session, business_id, program_id)
    name, notes = _checked_program(name, weeks, notes)
    beyond = await session.scalar(select(func.max(ProgramDay.week)).where(ProgramDay.program_id == program.id,
                                                                           ProgramDay.week > weeks))
    if beyond is not None:
        raise InvalidTraining("weeks", f"Week {beyond} has training days: remove them before shortening the program.")
    program.name, program.weeks, program.notes = name, weeks, notes
    await session.flush()
    return program


async def add_day(session: AsyncSession, business_id: int, program_id: int, *, week: int, weekday: int,
                  title: str | None = None) -> ProgramDay:
    """A training day on a weekday (0 = Monday) of one of the program's weeks; one per slot."""
    program = await get_program(session, business_id, program_id)
    _in_range("week", week, 1, program.weeks, f"This program has weeks 1 to {program.weeks}.")
    _in_range("weekday", weekday, 0, 6, "Pick a weekday.")
    title = checked_text("title", title, DAY_TITLE_MAX)
    taken = await session.scalar(select(ProgramDay.id).where(ProgramDay.program_id == program.id, ProgramDay.week == week,
                                                             ProgramDay.weekday == weekday))
    if taken is not None:
        raise InvalidTraining("weekday", "That day of that week already is a training day: add exercises to it.")
    day = ProgramDay(program_id=program.id, week=week, weekday=weekday, title=title)
    session.add(day)
    await session.flush()
    return day


async def remove_day(session: AsyncSession, business_id: int, program_id: int, day_id: int) -> ProgramDay:
    """Remove a day and its exercises (logs made from it keep what was done)."""
    _, day = await _day(session, business_id, program_id, day_id)
    await session.delete(day)
    await session.flush()
    return day


async def known_exercise(session: AsyncSession, business_id: int, key: str) -> library.Exercise | None:
    """The exercise of the business's library with this key; None for any other key (one no row could have too)."""
    if key.startswith(library.CUSTOM_PREFIX):
        number = key.removeprefix(library.CUSTOM_PREFIX)
        if not (number.isascii() and number.isdigit() and 0 < int(number) <= MAX_BIG_ID):
            return None
    return await library.exercise(session, business_id, key)


async def _checked_prescription(session: AsyncSession, business_id: int, p: Prescription) -> Prescription:
    if await known_exercise(session, business_id, p.exercise_key) is None:
        raise InvalidTraining("exercise_key", "Pick an exercise from the library.")
    if sum(v is not None for v in (p.reps, p.duration_s, p.distance_m)) > 1:
        raise InvalidTraining("amount", "Prescribe reps, a time or a distance: one of them.")
    if sum(v is not None for v in (p.load_kg, p.load_pct_1rm, p.rpe)) > 1:
        raise InvalidTraining("load", "Give the load in kg, in % of 1RM or as RPE: one of them.")
    _in_range("sets", p.sets, 1, MAX_SETS, f"From 1 to {MAX_SETS} sets.")
    _in_range("amount", p.reps, 1, MAX_REPS, f"From 1 to {MAX_REPS} reps.")
    _in_range("amount", p.duration_s, 1, MAX_DURATION_S, "A time from 1 second to 24 hours.")
    _in_range("amount", p.distance_m, 1, MAX_DISTANCE_M, f"A distance from 1 to {MAX_DISTANCE_M} metres.")
    _in_range("load", p.load_kg, 0.1, MAX_LOAD_KG, f"A load from 0.1 to {MAX_LOAD_KG:g} kg.")
    _in_range("load", p.load_pct_1rm, 1, 100, "From 1% to 100% of 1RM.")
    _in_range("load", p.rpe, 1, 10, "An RPE from 1 to 10.")
    _in_range("rest_s", p.rest_s, 0, MAX_REST_S, f"Rest from 0 to {MAX_REST_S} seconds.")
    _in_range("progression_kg", p.progression_kg, -MAX_PROGRESSION_KG, MAX_PROGRESSION_KG,
              f"A step from -{MAX_PROGRESSION_KG:g} to {MAX_PROGRESSION_KG:g} kg.")
    if p.progression_kg is not None and p.load_kg is None:
        raise InvalidTraining("progression_kg", "Progression adds kg to a load in kg: give the load in kg.")
    superset = checked_text("superset", p.superset, SUPERSET_MAX)
    notes = checked_text("notes", p.notes, ITEM_NOTES_MAX)
    return Prescription(**{**{f.name: getattr(p, f.name) for f in fields(p)},
                           "superset": superset.upper() if superset else None, "notes": notes})


def _apply(item: ProgramItem, p: Prescription) -> None:
    for f in fields(p):
        setattr(item, f.name, getattr(p, f.name))


async def add_item(session: AsyncSession, business_id: int, program_id: int, day_id: int, prescription: Prescription
                   ) -> ProgramItem:
    """An exercise at the end of the day; its key must be in the business's library."""
    _, day = await _day(session, business_id, program_id, day_id)
    checked = await _checked_prescription(session, business_id, prescription)
    last = await session.scalar(select(func.max(ProgramItem.position)).where(ProgramItem.day_id == day.id))
    item = ProgramItem(day_id=day.id, position=0 if last is None else last + 1)
    _apply(item, checked)
    session.add(item)
    await session.flush()
    return item


async def edit_item(session: AsyncSession, business_id: int, program_id: int, item_id: int, prescription: Prescription
                    ) -> ProgramItem:
    item = await get_item(session, business_id, program_id, item_id)
    _apply(item, await _checked_prescription(session, business_id, prescription))
    await session.flush()
    return item


async def _day_items(session: AsyncSession, day_id: int) -> list[ProgramItem]:
    return list(await session.scalars(select(ProgramItem).where(ProgramItem.day_id == day_id)
                                      .order_by(ProgramItem.position, ProgramItem.id)))


async def remove_item(session: AsyncSession, business_id: int, program_id: int, item_id: int) -> ProgramItem:
    item = await get_item(session, business_id, program_id, item_id)
    await session.delete(item)
    await session.flush()
    for position, rest in enumerate(await _day_items(session, item.day_id)):
        rest.position = position
    await session.flush()
    return item


async def move_item(session: AsyncSession, business_id: int, program_id: int, item_id: int, step: int) -> ProgramItem:
    """Move an exercise one place up (step -1) or down (+1) in its day; at either end it stays."""
    if step not in (-1, 1):
        raise InvalidTraining("step", "Move one place up or down.")
    item = await get_item(session, business_id, program_id, item_id)
    items = await _day_items(session, item.day_id)
    at = items.index(item)
    if 0 <= at + step < len(items):
        items[at], items[at + step] = items[at + step], items[at]
    for position, each in enumerate(items):
        each.position = position
    await session.flush()
    return item


async def assignable_client(session: AsyncSession, business_id: int, client_id: int) -> Client:
    """The business's client, not erased; another business's is NotFound."""
    client = await session.get(Client, client_id)
    if client is None or client.business_id != business_id:
        raise NotFound(f"client {client_id} not found")
    if client.erased_at is not None:
        raise InvalidTraining("client_id", "This client's data was erased.")
    return client


async def _clone(session: AsyncSession, source: Program, now: datetime, **changes: object) -> Program:
    copy = Program(business_id=source.business_id, client_id=source.client_id, template_id=source.template_id,
                   name=source.name, weeks=source.weeks, notes=source.notes, starts_on=source.starts_on, active=True,
                   created_at=now)
    for name, value in changes.items():
        setattr(copy, name, value)
    session.add(copy)
    await session.flush()
    days = list(await session.scalars(select(ProgramDay).where(ProgramDay.program_id == source.id)
                                      .order_by(ProgramDay.week, ProgramDay.weekday)))
    for day in days:
        new_day = ProgramDay(program_id=copy.id, week=day.week, weekday=day.weekday, title=day.title)
        session.add(new_day)
        await session.flush()
        for item in await _day_items(session, day.id):
            twin = ProgramItem(day_id=new_day.id, position=item.position)
            _apply(twin, Prescription(**{f.name: getattr(item, f.name) for f in fields(Prescription)}))
            session.add(twin)
    await session.flush()
    return copy


async def copy_program(session: AsyncSession, business_id: int, program_id: int, now: datetime, *,
                       name: str | None = None) -> Program:
    """A new template with the same weeks, days and exercises (from a template or from a client's copy)."""
    source = await get_program(session, business_id, program_id)
    new_name = checked_text("name", name, NAME_MAX) or f"{source.name[:NAME_MAX - 7]} (copy)"
    return await _clone(session, source, now, name=new_name, client_id=None, template_id=None, starts_on=None)


async def assign_program(session: AsyncSession, business_id: int, program_id: int, client_id: int, starts_on: date,
                         now: datetime) -> Program:
    """The client's own copy of a template from `starts_on`; their previous active program stops.

    Editing the copy never touches the template, nor the template the copy.
    """
    template = await get_program(session, business_id, program_id)
    if template.client_id is not None:
        raise InvalidTraining("client_id", "Assign a template; this program already is a client's own copy.")
    await assignable_client(session, business_id, client_id)
    await session.execute(update(Program).where(Program.business_id == business_id, Program.client_id == client_id,
                                                Program.active.is_(True)).values(active=False))
    return await _clone(session, template, now, client_id=client_id, template_id=template.id, starts_on=starts_on)
