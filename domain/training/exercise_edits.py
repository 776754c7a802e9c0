"""A business's own exercises (`custom:<id>` in programs and logs): add, change and remove, with a video link."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import CustomExercise, Program, ProgramDay, ProgramItem, WorkoutLog
from domain.training.library import CUSTOM_PREFIX, EQUIPMENT, KINDS, MUSCLES
from domain.training.program_edits import InvalidTraining, checked_text

NAME_MAX = 120
ALIAS_MAX = 60
ALIASES_MAX = 20
URL_MAX = 500


@dataclass(frozen=True)
class ExerciseFields:
    name_pt: str
    name_en: str
    aliases: str = ""  # comma-separated
    muscles: Sequence[str] = ()
    equipment: str = "other"
    kind: str = "strength"
    video_url: str | None = None


def video_url(text: str | None) -> str | None:
    """An http(s) address with a host, or None when blank; InvalidTraining otherwise."""
    url = (text or "").strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise InvalidTraining("video_url", "Give the video's web address, starting with https://.")
    if len(url) > URL_MAX:
        raise InvalidTraining("video_url", f"Use at most {URL_MAX} characters.")
    return url


def _aliases(text: str) -> list[str]:
    aliases = list(dict.fromkeys(a.strip() for a in text.split(",") if a.strip()))
    if len(aliases) > ALIASES_MAX or any(len(a) > ALIAS_MAX for a in aliases):
        raise InvalidTraining("aliases", f"At most {ALIASES_MAX} other names, of at most {ALIAS_MAX} characters each.")
    return aliases


def _apply(row: CustomExercise, f: ExerciseFields) -> None:
    name_pt = checked_text("name_pt", f.name_pt, NAME_MAX)
    name_en = checked_text("name_en", f.name_en, NAME_MAX)
    if name_pt is None and name_en is None:
        raise InvalidTraining("name_pt", "Name the exercise (in Portuguese, English or both).")
    muscles = list(dict.fromkeys(f.muscles))
    if not muscles or any(m not in MUSCLES for m in muscles):
        raise InvalidTraining("muscles", "Pick the muscles it works from the list.")
    if f.equipment not in EQUIPMENT:
        raise InvalidTraining("equipment", "Pick the equipment from the list.")
    if f.kind not in KINDS:
        raise InvalidTraining("kind", "Pick how it is measured from the list.")
    checked = (name_pt or name_en or "", name_en or name_pt or "", _aliases(f.aliases), muscles, video_url(f.video_url))
    row.name_pt, row.name_en, row.aliases, row.muscles, row.video_url = checked
    row.equipment, row.kind = f.equipment, f.kind


async def get_custom(session: AsyncSession, business_id: int, exercise_id: int) -> CustomExercise:
    """The business's own exercise; another business's id is NotFound."""
    row = await session.get(CustomExercise, exercise_id)
    if row is None or row.business_id != business_id:
        raise NotFound(f"exercise {exercise_id} not found")
    return row


async def add_custom(session: AsyncSession, business_id: int, now: datetime, fields: ExerciseFields) -> CustomExercise:
    row = CustomExercise(business_id=business_id, created_at=now)
    _apply(row, fields)
    session.add(row)
    await session.flush()
    return row


async def edit_custom(session: AsyncSession, business_id: int, exercise_id: int, fields: ExerciseFields) -> CustomExercise:
    row = await get_custom(session, business_id, exercise_id)
    _apply(row, fields)
    await session.flush()
    return row


async def remove_custom(session: AsyncSession, business_id: int, exercise_id: int) -> CustomExercise:
    """Remove an exercise no program prescribes and no client logged (those keep naming it)."""
    row = await get_custom(session, business_id, exercise_id)
    key = f"{CUSTOM_PREFIX}{row.id}"
    in_programs = await session.scalar(
        select(func.count(func.distinct(Program.id))).select_from(ProgramItem)
        .join(ProgramDay, ProgramDay.id == ProgramItem.day_id).join(Program, Program.id == ProgramDay.program_id)
        .where(Program.business_id == business_id, ProgramItem.exercise_key == key))
    if in_programs:
        raise InvalidTraining("exercise", f"{in_programs} program{'s' if in_programs != 1 else ''} prescribe it: "
                                          "take it out of them first.")
    logged = await session.scalar(select(WorkoutLog.id).where(WorkoutLog.business_id == business_id,
                                                             WorkoutLog.exercise_key == key).limit(1))
    if logged is not None:
        raise InvalidTraining("exercise", "Clients have logged it, so it stays in the library to name their logs.")
    await session.delete(row)
    await session.flush()
    return row
