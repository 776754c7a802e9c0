"""What a client logs: a workout session per local day, its logged exercises and the records they beat,
and the summary when the client says they finished."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import PersonalRecord, WorkoutLog, WorkoutSession
from domain.training.records import detect


@dataclass(frozen=True)
class LogInput:
    """One exercise to log, as the client gave it (load in its unit) and normalised (kg, metres)."""

    exercise_key: str
    sets: int | None = None
    reps: int | None = None
    load: float | None = None
    unit: str | None = None
    load_kg: float | None = None
    distance_m: float | None = None
    duration_s: int | None = None
    item_id: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class Logged:
    log: WorkoutLog
    records: list[PersonalRecord]


@dataclass(frozen=True)
class Summary:
    exercises: int
    sets: int
    volume_kg: float
    minutes: int
    records: list[PersonalRecord]


async def open_session(session: AsyncSession, business_id: int, client_id: int, on: date, now: datetime,
                       program_day_id: int | None = None) -> WorkoutSession:
    """Today's unfinished session, or a new one."""
    found = await session.scalar(select(WorkoutSession).where(
        WorkoutSession.client_id == client_id, WorkoutSession.local_date == on, WorkoutSession.finished_at.is_(None))
        .order_by(WorkoutSession.id.desc()).limit(1))
    if found is None:
        found = WorkoutSession(business_id=business_id, client_id=client_id, local_date=on, started_at=now,
                               program_day_id=program_day_id)
        session.add(found)
        await session.flush()
    elif program_day_id and found.program_day_id is None:
        found.program_day_id = program_day_id
    return found


async def record(session: AsyncSession, workout: WorkoutSession, entries: list[LogInput], now: datetime) -> list[Logged]:
    """Store each exercise in the session and find the records it beat."""
    done = []
    for entry in entries:
        log = WorkoutLog(business_id=workout.business_id, client_id=workout.client_id, session_id=workout.id,
                         item_id=entry.item_id, exercise_key=entry.exercise_key, sets=entry.sets, reps=entry.reps,
                         load=entry.load, unit=entry.unit, load_kg=entry.load_kg, distance_m=entry.distance_m,
                         duration_s=entry.duration_s, text=(entry.text or "")[:300] or None, logged_at=now)
        session.add(log)
        await session.flush()
        done.append(Logged(log, await detect(session, log)))
    return done


async def logs_of(session: AsyncSession, workout_id: int) -> list[WorkoutLog]:
    return list(await session.scalars(select(WorkoutLog).where(WorkoutLog.session_id == workout_id).order_by(WorkoutLog.id)))


async def finish(session: AsyncSession, business_id: int, client_id: int, on: date, now: datetime) -> Summary | None:
    """Close today's open session; None when nothing was logged today."""
    workout = await session.scalar(select(WorkoutSession).where(
        WorkoutSession.business_id == business_id, WorkoutSession.client_id == client_id,
        WorkoutSession.local_date == on, WorkoutSession.finished_at.is_(None)).order_by(WorkoutSession.id.desc()).limit(1))
    if workout is None:
        return None
    workout.finished_at = now
    logs = await logs_of(session, workout.id)
    records = list(await session.scalars(select(PersonalRecord).where(
        PersonalRecord.log_id.in_([log.id for log in logs]), PersonalRecord.previous.is_not(None))))
    first = min((log.logged_at for log in logs), default=workout.started_at)
    minutes = max(0, round((now - min(first, workout.started_at)).total_seconds() / 60))
    return Summary(len(logs), sum(log.sets or 1 for log in logs), volume(logs), minutes, records)


def volume(logs: list[WorkoutLog]) -> float:
    """Sets × reps × kg over the logs that have all three."""
    return round(sum((log.sets or 1) * (log.reps or 0) * (log.load_kg or 0) for log in logs), 1)


async def recent_logs(session: AsyncSession, client_id: int, since: datetime) -> list[WorkoutLog]:
    return list(await session.scalars(select(WorkoutLog).where(
        WorkoutLog.client_id == client_id, WorkoutLog.logged_at >= since).order_by(WorkoutLog.logged_at)))


async def weekly_counts(session: AsyncSession, client_id: int, first_monday: date, weeks: int) -> list[tuple[date, int, float]]:
    """(monday, training sessions, volume kg) for `weeks` weeks from `first_monday`."""
    out = []
    for w in range(weeks):
        monday = first_monday + timedelta(days=7 * w)
        sessions = await session.scalar(select(func.count()).select_from(WorkoutSession).where(
            WorkoutSession.client_id == client_id, WorkoutSession.local_date.between(monday, monday + timedelta(days=6)),
            WorkoutSession.id.in_(select(WorkoutLog.session_id))))
        logs = list(await session.scalars(select(WorkoutLog).join(WorkoutSession, WorkoutSession.id == WorkoutLog.session_id)
                                          .where(WorkoutSession.client_id == client_id,
                                                 WorkoutSession.local_date.between(monday, monday + timedelta(days=6)))))
        out.append((monday, sessions or 0, volume(logs)))
    return out


async def records_between(session: AsyncSession, client_id: int, first: date, last: date, tz: ZoneInfo) -> int:
    """Records beaten (not first baselines) between two local dates; load and 1RM of one set count once."""
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    return await session.scalar(select(func.count(func.distinct(PersonalRecord.log_id))).where(
        PersonalRecord.client_id == client_id, PersonalRecord.previous.is_not(None),
        PersonalRecord.achieved_at >= start, PersonalRecord.achieved_at < end)) or 0
