"""The exercise library: the one shipped with FitZap (exercise_library.json) plus a business's own.

Programs and logs name an exercise by key: a library key ("bench_press") or "custom:<id>".
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import CustomExercise

KINDS = ("strength", "bodyweight", "time", "distance")
MUSCLES = ("chest", "back", "shoulders", "biceps", "triceps", "forearms", "abs", "obliques", "lower_back", "glutes",
           "quads", "hamstrings", "calves", "adductors", "abductors", "traps", "full_body", "cardio")
EQUIPMENT = ("barbell", "dumbbell", "machine", "cable", "kettlebell", "bodyweight", "band", "smith", "ez_bar",
             "cardio_machine", "other", "none")
CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class Exercise:
    key: str
    en: str
    pt: str
    aliases: tuple[str, ...]
    muscles: tuple[str, ...]
    equipment: str
    kind: str
    video_url: str | None = None

    def name(self, locale: str) -> str:
        return self.en if locale.startswith("en") else self.pt

    @property
    def main_muscle(self) -> str:
        return self.muscles[0] if self.muscles else "full_body"


@cache
def shipped() -> dict[str, Exercise]:
    """The library that ships with the code, by key (read once)."""
    raw = json.loads((Path(__file__).with_name("exercise_library.json")).read_text(encoding="utf-8"))
    return {e["key"]: Exercise(e["key"], e["en"], e["pt"], tuple(e.get("aliases_pt", ()) + e.get("aliases_en", ())),
                               tuple(e["muscles"]), e["equipment"], e["kind"]) for e in raw}


def from_custom(row: CustomExercise) -> Exercise:
    return Exercise(f"{CUSTOM_PREFIX}{row.id}", row.name_en, row.name_pt, tuple(row.aliases or ()), tuple(row.muscles or ()),
                    row.equipment, row.kind, row.video_url)


async def custom_exercises(session: AsyncSession, business_id: int) -> list[Exercise]:
    rows = await session.scalars(select(CustomExercise).where(CustomExercise.business_id == business_id)
                                 .order_by(CustomExercise.name_pt))
    return [from_custom(r) for r in rows]


async def business_library(session: AsyncSession, business_id: int) -> dict[str, Exercise]:
    """Every exercise a business can use: the shipped library and its own, by key."""
    return {**shipped(), **{e.key: e for e in await custom_exercises(session, business_id)}}


async def exercise(session: AsyncSession, business_id: int, key: str) -> Exercise | None:
    """One exercise by key, a custom one only when it is this business's."""
    if not key.startswith(CUSTOM_PREFIX):
        return shipped().get(key)
    try:
        row = await session.get(CustomExercise, int(key.removeprefix(CUSTOM_PREFIX)))
    except ValueError:
        return None
    return from_custom(row) if row is not None and row.business_id == business_id else None
