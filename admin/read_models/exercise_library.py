"""The exercise library page: the shipped exercises and the business's own, searched by name or alias
(accents and case ignored) and filtered by muscle."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from domain.training import library
from domain.training.library import CUSTOM_PREFIX, Exercise


@dataclass(frozen=True)
class ExerciseRow:
    key: str
    name: str
    other_name: str
    muscles: tuple[str, ...]
    equipment: str
    kind: str
    video_url: str | None
    custom_id: int | None


def folded(text: str) -> str:
    """Lower case without accents, for matching what was typed."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _matches(e: Exercise, words: list[str]) -> bool:
    haystack = folded(" ".join((e.key.replace("_", " "), e.en, e.pt, *e.aliases)))
    return all(w in haystack for w in words)


def _row(e: Exercise, locale: str) -> ExerciseRow:
    other = e.pt if locale.startswith("en") else e.en
    custom = int(e.key.removeprefix(CUSTOM_PREFIX)) if e.key.startswith(CUSTOM_PREFIX) else None
    return ExerciseRow(e.key, e.name(locale), other if other != e.name(locale) else "", e.muscles, e.equipment, e.kind,
                       e.video_url, custom)


async def library_rows(session: AsyncSession, business_id: int, locale: str, *, query: str = "", muscle: str | None = None
                       ) -> tuple[list[ExerciseRow], list[ExerciseRow]]:
    """(the business's own exercises, the shipped ones) matching every word of `query` and working `muscle`."""
    words = folded(query).split()
    own = await library.custom_exercises(session, business_id)
    keep = lambda e: _matches(e, words) and (muscle is None or muscle in e.muscles)  # noqa: E731
    by_name = lambda r: folded(r.name)  # noqa: E731
    return (sorted((_row(e, locale) for e in own if keep(e)), key=by_name),
            sorted((_row(e, locale) for e in library.shipped().values() if keep(e)), key=by_name))
