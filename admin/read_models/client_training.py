"""The client page's Training section: program and meal plan, recent logs, records, measurements, the weekly
streak, and three charts (body weight, estimated 1RM of the main lifts, weekly volume per muscle group)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Float, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.charts import Chart, LineChart, bar_chart, line_chart
from admin.i18n import _, ngettext, number
from admin.read_models.training_plans import muscle_words
from domain.models import Business, Client, MealPlan, Measurement, PersonalRecord, Program, WorkoutLog, WorkoutSession
from domain.training.activity import training_days, weekly_streak
from domain.training.library import Exercise, business_library

RECENT_LIMIT = 30
MAIN_LIFTS = ("bench_press", "back_squat", "deadlift", "overhead_press")
HISTORY = timedelta(days=365)
VOLUME_WEEKS = 8
VOLUME_MUSCLES = 6  # the heaviest groups get their own bars; the rest share "other"
STREAK_WEEKS = 104
LB_IN_KG = 0.45359237
HALF = {"width": 360, "height": 180, "max_ticks": 4}  # the size of a chart in half the page's width

_Namer = Callable[[str], str]


@dataclass(frozen=True)
class LogLine:
    day: date
    exercise: str
    work: str  # "3×10 @ 60 kg", "" when only a distance or a time was logged
    distance: str
    time: str
    note: str


@dataclass(frozen=True)
class RecordLine:
    exercise: str
    kind: str  # load | e1rm | distance | pace
    value: str
    previous: str
    achieved_at: datetime


@dataclass(frozen=True)
class MeasurementLine:
    kind: str
    value: str
    taken_at: datetime
    photo_id: int | None = None  # a downloaded progress photo the panel can show


@dataclass(frozen=True)
class ClientTraining:
    program: Program | None
    meal_plan: MealPlan | None
    logs: list[LogLine]
    records: list[RecordLine]
    measurements: list[MeasurementLine]
    streak: int  # weeks in a row with at least `per_week` training days
    per_week: int
    days_this_week: int
    weight_chart: LineChart | None
    e1rm_chart: LineChart | None
    volume_chart: Chart | None


async def client_training(session: AsyncSession, business: Business, client: Client, now: datetime) -> ClientTraining:
    """What the client trained and measured; the caller has checked the panel user may see this client."""
    tz = _zone(client.timezone, business.timezone)
    today = now.astimezone(tz).date()
    library = await business_library(session, business.id)
    name = lambda key: _name(library, key, business.locale)  # noqa: E731
    days = (await training_days(session, business.id, [client.id], today - timedelta(weeks=STREAK_WEEKS), today, tz))[client.id]
    monday = today - timedelta(days=today.weekday())
    return ClientTraining(
        program=await _active(session, Program, business.id, client.id),
        meal_plan=await _active(session, MealPlan, business.id, client.id),
        logs=await _logs(session, business.id, client.id, name),
        records=await _records(session, business.id, client.id, name),
        measurements=await _measurements(session, business.id, client.id),
        streak=weekly_streak(days, today, business.streak_days_per_week),
        per_week=business.streak_days_per_week,
        days_this_week=sum(1 for d in days if d >= monday),
        weight_chart=await _weight_chart(session, business.id, client.id, now - HISTORY, tz),
        e1rm_chart=await _e1rm_chart(session, business.id, client.id, today - HISTORY, name),
        volume_chart=await _volume_chart(session, business.id, client.id, monday, library),
    )


def _zone(*names: str | None) -> ZoneInfo:
    for zone in names:
        if zone:
            try:
                return ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _name(library: dict[str, Exercise], key: str, locale: str) -> str:
    found = library.get(key)
    return found.name(locale) if found is not None else key


async def _active(session: AsyncSession, model: type[Program] | type[MealPlan], business_id: int,
                  client_id: int) -> Program | MealPlan | None:
    """The client's active program or meal plan (the latest to start, when several are)."""
    return (await session.scalars(
        select(model).where(model.business_id == business_id, model.client_id == client_id, model.active.is_(True))
        .order_by(model.starts_on.desc().nulls_last(), model.id.desc()).limit(1))).first()


async def _logs(session: AsyncSession, business_id: int, client_id: int, name: _Namer) -> list[LogLine]:
    rows = (await session.execute(
        select(WorkoutLog, WorkoutSession.local_date).join(WorkoutSession, WorkoutSession.id == WorkoutLog.session_id)
        .where(WorkoutLog.business_id == business_id, WorkoutLog.client_id == client_id)
        .order_by(WorkoutLog.logged_at.desc(), WorkoutLog.id.desc()).limit(RECENT_LIMIT))).all()
    return [LogLine(day, name(log.exercise_key), _work(log), _distance(log.distance_m), _duration(log.duration_s),
                    log.text or "") for log, day in rows]


async def _records(session: AsyncSession, business_id: int, client_id: int, name: _Namer) -> list[RecordLine]:
    rows = await session.scalars(
        select(PersonalRecord).where(PersonalRecord.business_id == business_id, PersonalRecord.client_id == client_id)
        .order_by(PersonalRecord.achieved_at.desc(), PersonalRecord.id.desc()).limit(RECENT_LIMIT))
    return [RecordLine(name(r.exercise_key), r.kind, _record_value(r.kind, r.value, r.reps),
                       _record_value(r.kind, r.previous, None) if r.previous is not None else "", r.achieved_at)
            for r in rows]


async def _measurements(session: AsyncSession, business_id: int, client_id: int) -> list[MeasurementLine]:
    rows = await session.scalars(
        select(Measurement).where(Measurement.business_id == business_id, Measurement.client_id == client_id)
        .order_by(Measurement.taken_at.desc(), Measurement.id.desc()).limit(RECENT_LIMIT))
    kinds = _measurement_kinds()
    return [MeasurementLine(kinds.get(m.kind) or m.kind.replace("_", " "), _measurement_value(m), m.taken_at,
                            m.id if m.media_path else None) for m in rows]


def _measurement_kinds() -> dict[str, str]:
    return {"weight": _("weight"), "body_fat": _("body fat"), "waist": _("waist"), "hip": _("hip"), "chest": _("chest"),
            "arm": _("arm"), "thigh": _("thigh"), "calf": _("calf"), "photo": _("photo")}


async def _weight_chart(session: AsyncSession, business_id: int, client_id: int, since: datetime,
                        tz: ZoneInfo) -> LineChart | None:
    rows = (await session.execute(
        select(Measurement.taken_at, Measurement.value, Measurement.unit).where(
            Measurement.business_id == business_id, Measurement.client_id == client_id, Measurement.kind == "weight",
            Measurement.value.is_not(None), Measurement.taken_at >= since)
        .order_by(Measurement.taken_at))).all()
    by_day = {at.astimezone(tz).date(): value * LB_IN_KG if unit == "lb" else value for at, value, unit in rows}
    return line_chart([(_("Body weight"), sorted(by_day.items()))], unit="kg", **HALF) if by_day else None


async def _e1rm_chart(session: AsyncSession, business_id: int, client_id: int, since: date,
                      name: _Namer) -> LineChart | None:
    """Epley's estimate, load × (1 + reps / 30), the best of each day, for the main lifts."""
    e1rm = WorkoutLog.load_kg * (1 + cast(WorkoutLog.reps, Float) / 30)
    rows = (await session.execute(
        select(WorkoutLog.exercise_key, WorkoutSession.local_date, func.max(e1rm))
        .join(WorkoutSession, WorkoutSession.id == WorkoutLog.session_id)
        .where(WorkoutLog.business_id == business_id, WorkoutLog.client_id == client_id,
               WorkoutLog.exercise_key.in_(MAIN_LIFTS), WorkoutLog.reps >= 1, WorkoutLog.load_kg > 0,
               WorkoutSession.local_date >= since)
        .group_by(WorkoutLog.exercise_key, WorkoutSession.local_date))).all()
    points: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for key, day, best in rows:
        points[key].append((day, float(best)))
    series = [(name(key), sorted(points[key])) for key in MAIN_LIFTS if points[key]]
    return line_chart(series, unit="kg", **HALF) if series else None


async def _volume_chart(session: AsyncSession, business_id: int, client_id: int, this_monday: date,
                        library: dict[str, Exercise]) -> Chart | None:
    """Sets × reps × kg per week (Monday to Sunday, the client's days), by each exercise's main muscle."""
    first = this_monday - timedelta(weeks=VOLUME_WEEKS - 1)
    volume = func.sum(func.coalesce(WorkoutLog.sets, 1) * WorkoutLog.reps * WorkoutLog.load_kg)
    rows = (await session.execute(
        select(WorkoutLog.exercise_key, WorkoutSession.local_date, volume)
        .join(WorkoutSession, WorkoutSession.id == WorkoutLog.session_id)
        .where(WorkoutLog.business_id == business_id, WorkoutLog.client_id == client_id,
               WorkoutLog.reps >= 1, WorkoutLog.load_kg > 0, WorkoutSession.local_date >= first,
               WorkoutSession.local_date < this_monday + timedelta(weeks=1))
        .group_by(WorkoutLog.exercise_key, WorkoutSession.local_date))).all()
    weeks: dict[str, list[float]] = defaultdict(lambda: [0.0] * VOLUME_WEEKS)
    for key, day, kg in rows:
        muscle = library[key].main_muscle if key in library else "other"
        weeks[muscle][(day - first).days // 7] += float(kg)
    if not any(sum(w) for w in weeks.values()):
        return None
    ranked = sorted(weeks, key=lambda m: (-sum(weeks[m]), m))
    if len(ranked) > VOLUME_MUSCLES:
        rest = ranked[VOLUME_MUSCLES - 1:]
        ranked = ranked[:VOLUME_MUSCLES - 1]
        weeks["all others"] = [sum(weeks[m][i] for m in rest) for i in range(VOLUME_WEEKS)]
        ranked.append("all others")
    labels = [f"{first + timedelta(weeks=i):%d/%m}" for i in range(VOLUME_WEEKS)]
    names = muscle_words() | {"other": _("other"), "all others": _("all others")}
    return bar_chart(labels, [(names.get(m) or m.replace("_", " "), [float(round(v)) for v in weeks[m]]) for m in ranked],
                     width=800)


def _fmt(value: float, decimals: int = 1) -> str:
    return number(value, decimals)


def _work(log: WorkoutLog) -> str:
    if log.sets and log.reps:
        done = f"{log.sets}×{log.reps}"
    elif log.reps:
        done = ngettext("%(num)s rep", "%(num)s reps", log.reps)
    elif log.sets:
        done = ngettext("%(num)s set", "%(num)s sets", log.sets)
    else:
        done = ""
    load = f"{_fmt(log.load)} {log.unit or 'kg'}" if log.load is not None else ""
    return f"{done} @ {load}" if done and load else done or load


def _distance(metres: float | None) -> str:
    if metres is None:
        return ""
    return f"{_fmt(metres / 1000, 2)} km" if metres >= 1000 else f"{_fmt(metres)} m"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _record_value(kind: str, value: float, reps: int | None) -> str:
    if kind == "load":
        return f"{_fmt(value)} kg" + (f" × {reps}" if reps else "")
    if kind == "e1rm":
        return f"{_fmt(value)} kg"
    if kind == "distance":
        return _distance(value)
    if kind == "pace":
        return f"{_duration(value)} /km"
    return _fmt(value)


def _measurement_value(m: Measurement) -> str:
    if m.kind == "photo":
        return _("photo") if m.media_path else _("photo (media id %(id)s)", id=m.media_id or "—")
    if m.value is None:
        return "—"
    unit = m.unit or {"weight": "kg", "body_fat": "%"}.get(m.kind, "cm")
    return f"{_fmt(m.value)}%" if unit == "%" else f"{_fmt(m.value)} {unit}"

