"""Personal records: heaviest load for a number of reps, estimated 1RM (Epley), longest distance,
fastest pace. Every new best is kept, so the latest row of a kind is the best to beat."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import PersonalRecord, WorkoutLog

LOWER_IS_BETTER = frozenset({"pace"})


def epley(load_kg: float, reps: int) -> float:
    """Estimated one-rep max: load × (1 + reps / 30); a single is itself."""
    return round(load_kg if reps == 1 else load_kg * (1 + reps / 30), 1)


def candidates(log: WorkoutLog) -> list[tuple[str, int | None, float]]:
    """(kind, reps, value) this log could set."""
    found: list[tuple[str, int | None, float]] = []
    if log.load_kg and log.reps:
        found += [("load", log.reps, log.load_kg), ("e1rm", None, epley(log.load_kg, log.reps))]
    if log.distance_m:
        found.append(("distance", None, log.distance_m))
        if log.duration_s and log.distance_m >= 100:
            found.append(("pace", None, round(log.duration_s / (log.distance_m / 1000), 1)))
    return found


async def detect(session: AsyncSession, log: WorkoutLog) -> list[PersonalRecord]:
    """The records this log beat (the first log of an exercise sets its baselines, with no previous)."""
    found = candidates(log)
    if not found:
        return []
    standing = {(kind, reps): (high, low) for kind, reps, high, low in await session.execute(
        select(PersonalRecord.kind, PersonalRecord.reps, func.max(PersonalRecord.value), func.min(PersonalRecord.value))
        .where(PersonalRecord.client_id == log.client_id, PersonalRecord.exercise_key == log.exercise_key)
        .group_by(PersonalRecord.kind, PersonalRecord.reps))}
    beaten = []
    for kind, reps, value in found:
        held = [v for (k, r), v in standing.items() if k == kind and (reps is None or r == reps)]
        previous = (min(low for _, low in held) if kind in LOWER_IS_BETTER else max(high for high, _ in held)) if held else None
        better = previous is None or (value < previous if kind in LOWER_IS_BETTER else value > previous)
        if better:
            record = PersonalRecord(business_id=log.business_id, client_id=log.client_id, log_id=log.id,
                                    exercise_key=log.exercise_key, kind=kind, reps=reps, value=value, previous=previous,
                                    achieved_at=log.logged_at)
            session.add(record)
            beaten.append(record)
    await session.flush()
    return beaten


async def bests(session: AsyncSession, client_id: int) -> list[PersonalRecord]:
    """The standing record of each exercise and kind (load records: the heaviest of any reps), newest first."""
    rows = list(await session.scalars(select(PersonalRecord).where(PersonalRecord.client_id == client_id)
                                      .order_by(PersonalRecord.achieved_at.desc(), PersonalRecord.id.desc())))
    standing: dict[tuple[str, str], PersonalRecord] = {}
    for r in rows:
        key = (r.exercise_key, r.kind)
        held = standing.get(key)
        if held is None or (r.value < held.value if r.kind in LOWER_IS_BETTER else r.value > held.value):
            standing[key] = r
    return sorted(standing.values(), key=lambda r: r.achieved_at, reverse=True)
