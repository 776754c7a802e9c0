"""What the training pages show: program and meal plan lists, a program's weeks and days with each exercise's
prescription in words, a meal plan's meals by day, and the library as <select> groups."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.i18n import _, ngettext, number, weekday
from admin.read_models.client_directory import display_name, visible
from domain.models import Client, Meal, MealPlan, Program, ProgramDay, ProgramItem
from domain.training import library
from domain.training.library import Exercise

A_MONDAY = date(2024, 1, 1)


def weekday_name(day: int, width: str = "wide") -> str:
    """Monday (0) to Sunday (6) in the request's language, as a sentence has it: "Monday", "segunda-feira"."""
    return weekday(A_MONDAY + timedelta(days=day), width)


def weekday_title(day: int, width: str = "wide") -> str:
    """The weekday as a heading or an option starts: "Monday", "Segunda-feira"."""
    name = weekday_name(day, width)
    return name[:1].upper() + name[1:]


def weekday_options() -> list[tuple[int, str]]:
    return [(day, weekday_title(day)) for day in range(7)]


@dataclass(frozen=True)
class PlanRow:
    """A program or meal plan in a list: a template (with how many clients follow a copy) or a client's copy."""

    id: int
    name: str
    weeks: int | None
    days: int
    clients: int
    client_id: int | None
    client: str | None
    starts_on: date | None
    template_id: int | None


@dataclass(frozen=True)
class ItemView:
    id: int
    exercise: str
    video_url: str | None
    amount: str
    load: str
    rest: str
    superset: str
    progression: str
    notes: str
    first: bool
    last: bool


@dataclass(frozen=True)
class DayView:
    id: int
    week: int
    weekday: int
    title: str | None
    items: list[ItemView]

    @property
    def label(self) -> str:
        if self.title:
            return _("Week %(week)s · %(weekday)s · %(title)s", week=self.week, weekday=weekday_title(self.weekday),
                     title=self.title)
        return _("Week %(week)s · %(weekday)s", week=self.week, weekday=weekday_title(self.weekday))


@dataclass(frozen=True)
class Owner:
    """Whose copy a program or meal plan is, and which template it came from."""

    client_id: int | None
    client: str | None
    template_id: int | None
    template: str | None


@dataclass(frozen=True)
class ProgramView:
    program: Program
    owner: Owner
    days: list[DayView]

    def grid(self) -> list[tuple[int, list[DayView | None]]]:
        """Each week with its seven weekdays: the training day, or None for rest."""
        slots = {(d.week, d.weekday): d for d in self.days}
        return [(week, [slots.get((week, wd)) for wd in range(7)]) for week in range(1, self.program.weeks + 1)]


@dataclass(frozen=True)
class MealGroup:
    weekday: int | None
    label: str
    meals: list[Meal]


@dataclass(frozen=True)
class LibraryGroup:
    label: str
    options: list[tuple[str, str]]  # (key, name)


def muscle_words() -> dict[str, str]:
    """Each muscle (group) key in lower-case words of the request's language: "lower_back" is "lower back", "lombar".
    Lower case, so a muscle's "back" is not the button's "Back"."""
    return {
        "chest": _("chest"), "back": _("back"), "shoulders": _("shoulders"), "biceps": _("biceps"),
        "triceps": _("triceps"), "forearms": _("forearms"), "abs": _("abs"), "obliques": _("obliques"),
        "lower_back": _("lower back"), "glutes": _("glutes"), "quads": _("quads"), "hamstrings": _("hamstrings"),
        "calves": _("calves"), "adductors": _("adductors"), "abductors": _("abductors"), "traps": _("traps"),
        "full_body": _("full body"), "cardio": _("cardio"),
    }


def equipment_words() -> dict[str, str]:
    """Each equipment key in lower-case words of the request's language."""
    return {
        "barbell": _("barbell"), "dumbbell": _("dumbbell"), "machine": _("machine"), "cable": _("cable"),
        "kettlebell": _("kettlebell"), "bodyweight": _("bodyweight"), "band": _("band"), "smith": _("smith"),
        "ez_bar": _("ez bar"), "cardio_machine": _("cardio machine"), "other": _("other"), "none": _("none"),
    }


def label_of(words: dict[str, str], key: str) -> str:
    """A key from `muscle_words()` or `equipment_words()` as a label starts: "Lower back", "Lombar"; a key they do
    not know, in plain words."""
    said = words.get(key) or key.replace("_", " ")
    return said[:1].upper() + said[1:]


async def program_lists(session: AsyncSession, business_id: int, staff_id: int | None) -> tuple[list[PlanRow], list[PlanRow]]:
    """The templates, and the active copies of the clients this user may see."""
    days = (select(func.count()).select_from(ProgramDay).where(ProgramDay.program_id == Program.id)
            .correlate(Program).scalar_subquery())
    return await _lists(session, Program, days, business_id, staff_id)


async def meal_plan_lists(session: AsyncSession, business_id: int, staff_id: int | None) -> tuple[list[PlanRow], list[PlanRow]]:
    """The templates, and the active copies of the clients this user may see (`days` counts meals)."""
    meals = select(func.count()).select_from(Meal).where(Meal.plan_id == MealPlan.id).correlate(MealPlan).scalar_subquery()
    return await _lists(session, MealPlan, meals, business_id, staff_id)


async def _lists(session: AsyncSession, model: type[Program] | type[MealPlan], count: Any, business_id: int,
                 staff_id: int | None) -> tuple[list[PlanRow], list[PlanRow]]:
    seen = select(Client.id).where(*visible(business_id, staff_id))
    followers = dict((await session.execute(  # type: ignore[arg-type]
        select(model.template_id, func.count()).where(model.business_id == business_id, model.active.is_(True),
                                                      model.client_id.in_(seen)).group_by(model.template_id))).all())
    template_rows = (await session.execute(select(model, count).where(model.business_id == business_id,
                                                                      model.client_id.is_(None))
                                           .order_by(model.name, model.id))).all()
    templates = [PlanRow(p.id, p.name, getattr(p, "weeks", None), n, followers.get(p.id, 0), None, None, None, None)
                 for p, n in template_rows]
    copy_rows = (await session.execute(
        select(model, Client, count).join(Client, Client.id == model.client_id)
        .where(model.business_id == business_id, model.active.is_(True), *visible(business_id, staff_id)))).all()
    clients = [PlanRow(p.id, p.name, getattr(p, "weeks", None), n, 0, c.id, display_name(c), p.starts_on, p.template_id)
               for p, c, n in copy_rows]
    return templates, sorted(clients, key=lambda r: ((r.client or "").casefold(), r.id))


async def owner_of(session: AsyncSession, model: type[Program] | type[MealPlan], plan: Program | MealPlan) -> Owner:
    client = await session.get(Client, plan.client_id) if plan.client_id is not None else None
    template = await session.get(model, plan.template_id) if plan.template_id is not None else None
    return Owner(plan.client_id, display_name(client) if client is not None else None,
                 template.id if template is not None else None, template.name if template is not None else None)


def _number(value: float) -> str:
    """A value as a form field holds it ("62.5"; the forms read a comma too)."""
    return f"{value:g}"


def _shown_number(value: float) -> str:
    """A value as a person reads it: "62.5" or "62,5"."""
    return number(value, 2)


def _duration(s: int) -> str:
    if s < 60:
        return f"{s} s"
    if s % 60 == 0 and s < 3600:
        return f"{s // 60} min"
    hours, rest = divmod(s, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{s // 60}:{s % 60:02d} min"


def _distance(m: int) -> str:
    return f"{_shown_number(m / 1000)} km" if m >= 1000 and m % 100 == 0 else f"{m} m"


def amount_words(item: ProgramItem) -> str:
    """ "3 × 10", "3 × 45 s", "5 km", "4 sets"."""
    what = (str(item.reps) if item.reps is not None else _duration(item.duration_s) if item.duration_s is not None
            else _distance(item.distance_m) if item.distance_m is not None else "")
    if item.sets and what:
        return f"{item.sets} × {what}"
    if item.sets:
        return ngettext("%(num)s set", "%(num)s sets", item.sets)
    return what or "—"


def load_words(item: ProgramItem) -> str:
    if item.load_kg is not None:
        return f"{_shown_number(item.load_kg)} kg"
    if item.load_pct_1rm is not None:
        return f"{item.load_pct_1rm}% 1RM"
    return f"RPE {_shown_number(item.rpe)}" if item.rpe is not None else ""


def _rest_words(rest_s: int | None) -> str:
    return _("%(time)s rest", time=_duration(rest_s)) if rest_s else ""


def _progression_words(kg: float | None) -> str:
    if not kg:
        return ""
    return _("%(change)s kg each time", change=("+" if kg > 0 else "") + _shown_number(kg))


def item_values(item: ProgramItem) -> dict[str, str]:
    """The item as its edit form shows it."""
    amount_unit, amount = ("seconds", item.duration_s) if item.duration_s is not None else \
        ("metres", item.distance_m) if item.distance_m is not None else ("reps", item.reps)
    load_unit, load = ("pct_1rm", item.load_pct_1rm) if item.load_pct_1rm is not None else \
        ("rpe", item.rpe) if item.rpe is not None else ("kg", item.load_kg)
    return {"exercise_key": item.exercise_key, "sets": _shown(item.sets), "amount_unit": amount_unit, "amount": _shown(amount),
            "load_unit": load_unit, "load": _shown(load), "rest_s": _shown(item.rest_s), "superset": item.superset or "",
            "progression_kg": _shown(item.progression_kg), "notes": item.notes or ""}


def _shown(value: float | None) -> str:
    return "" if value is None else _number(value) if isinstance(value, float) else str(value)


def exercise_name(known: dict[str, Exercise], key: str, locale: str) -> str:
    found = known.get(key)
    return found.name(locale) if found is not None else _("%(key)s (no longer in the library)", key=key)


async def program_view(session: AsyncSession, program: Program, locale: str) -> ProgramView:
    known = await library.business_library(session, program.business_id)
    days = list(await session.scalars(select(ProgramDay).where(ProgramDay.program_id == program.id)
                                      .order_by(ProgramDay.week, ProgramDay.weekday)))
    items = list(await session.scalars(select(ProgramItem).where(ProgramItem.day_id.in_([d.id for d in days]))
                                       .order_by(ProgramItem.position, ProgramItem.id))) if days else []
    by_day: dict[int, list[ProgramItem]] = {}
    for item in items:
        by_day.setdefault(item.day_id, []).append(item)
    views = []
    for day in days:
        mine = by_day.get(day.id, [])
        views.append(DayView(day.id, day.week, day.weekday, day.title, [ItemView(
            i.id, exercise_name(known, i.exercise_key, locale), getattr(known.get(i.exercise_key), "video_url", None),
            amount_words(i), load_words(i), _rest_words(i.rest_s), i.superset or "", _progression_words(i.progression_kg),
            i.notes or "", n == 0, n == len(mine) - 1) for n, i in enumerate(mine)]))
    return ProgramView(program, await owner_of(session, Program, program), views)


def meal_groups(meals: Sequence[Meal]) -> list[MealGroup]:
    """Meals for every day first, then each weekday that has its own."""
    groups = [MealGroup(None, _("Every day"), [m for m in meals if m.weekday is None])]
    groups += [MealGroup(wd, weekday_title(wd), [m for m in meals if m.weekday == wd]) for wd in range(7)]
    return [g for g in groups if g.meals]


async def library_groups(session: AsyncSession, business_id: int, locale: str) -> list[LibraryGroup]:
    """The business's library for a <select>: its own exercises first, then the shipped ones by main muscle."""
    own = await library.custom_exercises(session, business_id)
    groups = [LibraryGroup(_("Your exercises"), sorted(((e.key, e.name(locale)) for e in own), key=lambda o: o[1].casefold()))]
    by_muscle: dict[str, list[tuple[str, str]]] = {}
    for e in library.shipped().values():
        by_muscle.setdefault(e.main_muscle, []).append((e.key, e.name(locale)))
    muscles = muscle_words()
    groups += [LibraryGroup(label_of(muscles, m), sorted(by_muscle[m], key=lambda o: o[1].casefold()))
               for m in library.MUSCLES if m in by_muscle]
    return [g for g in groups if g.options]
