"""Training in the chat: the day's workout (and the guided log after it), free-text logs, "terminei",
records, "meu progresso", measurements and progress photos, and the day's meals."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.dates import day_label
from conversations.nlu import Understanding, understand
from conversations.nlu.exercises import ExerciseIndex, fold
from conversations.nlu.workout_log import LoggedExercise, parse_log
from conversations.quantities import amount, distance, load, number, prescribed
from conversations.replies import Button, Buttons, ListMessage, Row, Text
from domain.models import PersonalRecord, ProgramItem
from domain.training import library, meals, measurements, programs, records, workouts
from domain.training.activity import training_days, weekly_streak
from domain.training.library import Exercise

MAX_TEXT = 4096
# "peso 62kg", "cintura: 70 cm", "weight 136 lb", "bf 18%"
_MEASURE = re.compile(r"^(?:(?:meu|minha|my)\s+)?(peso|weight|pesando|cintura|waist|quadril|hip|hips|peito|chest|braco|arm|"
                      r"biceps|coxa|thigh|panturrilha|calf|gordura|bf|body fat|percentual de gordura)\s*(?:e|is|de|:|=|hoje|"
                      r"agora|today|now)?\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(kg|kgs|quilos|cm|%|lb|lbs)?\s*$")
_MEASURE_KIND = {"peso": "weight", "weight": "weight", "pesando": "weight", "cintura": "waist", "waist": "waist",
                 "quadril": "hip", "hip": "hip", "hips": "hip", "peito": "chest", "chest": "chest", "braco": "arm",
                 "arm": "arm", "biceps": "arm", "coxa": "thigh", "thigh": "thigh", "panturrilha": "calf", "calf": "calf",
                 "gordura": "body_fat", "bf": "body_fat", "body fat": "body_fat", "percentual de gordura": "body_fat"}
_PHOTO_WORDS = frozenset("progresso evolucao foto shape progress physique antes depois before after".split())


# --- the day's workout -------------------------------------------------------------------------

async def workout(ctx: Ctx, u: Understanding | None = None) -> None:
    """The workout of a day (today unless the client named one), numbered, then the guided log's button."""
    on = asked_day(ctx, u)
    program = await programs.active_program(ctx.session, ctx.business.id, ctx.client.id)
    if program is None:
        ctx.say("no_program")
        return
    plan = await programs.day_plan(ctx.session, program, on)
    if plan.day is None:
        after = await programs.next_training_day(ctx.session, program, on)
        ctx.say("rest_day", day=_day_name(ctx, on).capitalize(), next_day=_day_name(ctx, after.on) if after else None,
                next_title=after.day.title if after and after.day else None)
        return
    await programs.apply_progression(ctx.session, ctx.client.id, plan.items)
    names = await library.business_library(ctx.session, ctx.business.id)
    lines = [_item_line(ctx, n, item, names) for n, item in enumerate(plan.items, 1)]
    header = ctx.t("workout_header", day=_day_name(ctx, on), title=plan.day.title)
    for chunk in split_at_items(header, lines):
        ctx.send(Text(chunk))
    ctx.state.start("workout", "shown", day_id=plan.day.id, on=on.isoformat())
    ctx.send(Buttons(ctx.t("workout_footer"), (Button(ids.make("wk", "start", plan.day.id, on.isoformat()),
                                                      ctx.t("guided_start_button")),)))


def asked_day(ctx: Ctx, u: Understanding | None) -> date:
    """The day the client asked about, read in their own time zone ("hoje" at 23:30 in Manaus is still Monday)."""
    if u is None or u.date is None:
        return ctx.client_today
    if ctx.client.timezone is None:
        return u.date
    return understand(u.text, u.locale, ctx.now.astimezone(ctx.client_tz)).date or ctx.client_today


def split_at_items(header: str, lines: list[str], limit: int = MAX_TEXT) -> list[str]:
    """Texts of at most `limit` characters, broken only between exercises."""
    chunks, current = [], header
    for line in lines:
        if len(current) + 2 + len(line) > limit:
            chunks.append(current)
            current = line[:limit]
        else:
            current = f"{current}\n\n{line}"
    return [*chunks, current]


def _item_line(ctx: Ctx, n: int, item: ProgramItem, names: dict[str, Exercise]) -> str:
    exercise = names.get(item.exercise_key)
    name = exercise.name(ctx.locale) if exercise else item.exercise_key
    line = f"{n}. {'🔗' + item.superset + ' ' if item.superset else ''}*{name}* — {prescribed(item, ctx.locale)}"
    if item.notes:
        line += f"\n   _{item.notes}_"
    if exercise and exercise.video_url:
        line += f"\n   ▶️ {exercise.video_url}"
    return line


def _day_name(ctx: Ctx, on: date) -> str:
    today = ctx.client_today
    if on == today:
        return "hoje" if ctx.locale == "pt-BR" else "today"
    if on == today + timedelta(days=1):
        return "amanhã" if ctx.locale == "pt-BR" else "tomorrow"
    return day_label(on, ctx.locale)


# --- the guided log: one exercise at a time ------------------------------------------------------

async def guided(ctx: Ctx, action: str, parts: list[str]) -> None:
    """A tap on the guided log's buttons: start, done as prescribed, note it, skip."""
    if action not in ("start", "done", "note", "skip"):
        raise ValueError(action)
    if action == "start":
        day_id, on = int(parts[0]), date.fromisoformat(parts[1])
        items = await programs.day_items(ctx.session, day_id)
        if not items or await programs.client_item(ctx.session, ctx.business.id, ctx.client.id, items[0].id) is None:
            ctx.say("error", code="not_found")
            return
        await _step(ctx, items, 0, on)
        return
    item_id, on = int(parts[0]), date.fromisoformat(parts[1])
    found = await programs.client_item(ctx.session, ctx.business.id, ctx.client.id, item_id)
    if found is None:
        ctx.say("error", code="not_found")
        return
    item, day = found
    if action == "done":
        await _log(ctx, [_as_prescribed(item)], on, day.id)
    elif action == "note":
        names = await library.business_library(ctx.session, ctx.business.id)
        ctx.state.start("workout", "note", item_id=item.id, on=on.isoformat())
        ctx.say("guided_ask_note", exercise=_name(ctx, item.exercise_key, names))
        return
    await _next(ctx, day.id, item.id, on)


async def noted(ctx: Ctx, text: str) -> bool:
    """The answer to "how did it go?" in the guided log; False when it reads as no log at all."""
    slots = ctx.state.slots
    found = await programs.client_item(ctx.session, ctx.business.id, ctx.client.id, int(slots["item_id"]))
    entries = parse_log(text) if found else []
    if not found or not entries:
        return False
    item, day = found
    on = date.fromisoformat(slots["on"])
    first = entries[0]
    key = first.exercise or item.exercise_key
    ctx.state.reset()
    await _log(ctx, [_log_input(first, key, item.id, text)], on, day.id)
    await _next(ctx, day.id, item.id, on)
    return True


async def _next(ctx: Ctx, day_id: int, after_item: int, on: date) -> None:
    items = await programs.day_items(ctx.session, day_id)
    position = next((i for i, it in enumerate(items) if it.id == after_item), len(items))
    if position + 1 < len(items):
        await _step(ctx, items, position + 1, on)
    else:
        ctx.state.reset()
        ctx.say("guided_over")


async def _step(ctx: Ctx, items: list[ProgramItem], index: int, on: date) -> None:
    item = items[index]
    names = await library.business_library(ctx.session, ctx.business.id)
    line = f"*{_name(ctx, item.exercise_key, names)}* — {prescribed(item, ctx.locale)}"
    ctx.state.start("workout", "guided", item_id=item.id, on=on.isoformat())
    ctx.send(Buttons(ctx.t("guided_step", n=index + 1, total=len(items), line=line), tuple(
        Button(ids.make("wk", action, item.id, on.isoformat()), ctx.t(f"guided_{action}_button"))
        for action in ("done", "note", "skip"))))


def _as_prescribed(item: ProgramItem) -> workouts.LogInput:
    return workouts.LogInput(exercise_key=item.exercise_key, sets=item.sets, reps=item.reps, load=item.load_kg,
                             unit="kg" if item.load_kg is not None else None, load_kg=item.load_kg,
                             distance_m=item.distance_m, duration_s=item.duration_s, item_id=item.id)


# --- free-text logs ------------------------------------------------------------------------------

async def typed_log(ctx: Ctx, text: str, u: Understanding) -> bool:
    """A message that logs exercises ("supino 3x10 40kg"): recorded, or a list to pick an unsure name from."""
    if ctx.state.flow == "workout" and ctx.state.step == "note" and await noted(ctx, text):
        return True
    said_when = bool(u.date or u.datetime)
    entries = [e for e in parse_log(text) if _quantified(e, said_when)]
    if not entries:  # most messages that get here log nothing: no need to read the studio's own exercises
        return False
    own = await library.custom_exercises(ctx.session, ctx.business.id)
    names = {**library.shipped(), **{e.key: e for e in own}}
    if own:
        entries = [e for e in parse_log(text, ExerciseIndex(own)) if _quantified(e, said_when)]
    sure = [e for e in entries if e.exercise]
    unsure = [e for e in entries if not e.exercise]
    if not any(e.candidates for e in unsure) and not sure:
        if u.intent != "log_workout":
            return False
        ctx.say("log_unknown", name=unsure[0].name or text[:40])
        return True
    if sure:
        await _log(ctx, [_log_input(e, str(e.exercise), None, text) for e in sure], ctx.client_today, None, names)
    if unsure:
        await _ask_which(ctx, unsure[0], text, names)
    return True


def _quantified(entry: LoggedExercise, said_when: bool) -> bool:
    """Numbers that make a log: sets, reps, a load or a distance; a time alone only for timed exercises.

    A day or clock time beside a bare exercise word ("supino amanhã 7h") is not a log.
    """
    if entry.sets or entry.reps or entry.load is not None or entry.distance is not None:
        return True
    return entry.duration_s is not None and not said_when


async def _ask_which(ctx: Ctx, entry: LoggedExercise, text: str, names: dict[str, Exercise]) -> None:
    if not entry.candidates:
        ctx.say("log_unknown", name=entry.name or text[:40])
        return
    ctx.state.start("workout", "pick", entry={**entry.as_json(), "text": text[:300]})
    rows = tuple(Row(id=ids.make("wk", "pick", key), title=_name(ctx, key, names)[:24],
                     description=", ".join(names[key].muscles[:3]) if key in names else None)
                 for key in entry.candidates[:10])
    ctx.send(ListMessage(ctx.t("log_pick", name=entry.name), ctx.t("exercises_button"), rows))


async def picked(ctx: Ctx, key: str) -> None:
    """An exercise picked from the list: the pending log is recorded with it."""
    pending = ctx.state.slots.get("entry") if ctx.state.flow == "workout" and ctx.state.step == "pick" else None
    if pending is None or await library.exercise(ctx.session, ctx.business.id, key) is None:
        ctx.state.reset()
        ctx.say("log_how")
        return
    ctx.state.reset()
    entry = LoggedExercise(exercise=key, **{k: pending[k] for k in ("sets", "reps", "load", "unit", "distance",
                                                                     "distance_unit", "duration_s")})
    await _log(ctx, [_log_input(entry, key, None, pending.get("text"))], ctx.client_today, None)


def _log_input(entry: LoggedExercise, key: str, item_id: int | None, text: str | None) -> workouts.LogInput:
    return workouts.LogInput(exercise_key=key, sets=entry.sets, reps=entry.reps, load=entry.load, unit=entry.unit,
                             load_kg=entry.load_kg, distance_m=entry.distance_m, duration_s=entry.duration_s,
                             item_id=item_id, text=text)


async def _log(ctx: Ctx, entries: list[workouts.LogInput], on: date, day_id: int | None,
               names: dict[str, Exercise] | None = None) -> None:
    session = await workouts.open_session(ctx.session, ctx.business.id, ctx.client.id, on, ctx.now, day_id)
    done = await workouts.record(ctx.session, session, entries, ctx.now)
    names = names or await library.business_library(ctx.session, ctx.business.id)
    lines = []
    for item in done:
        log = item.log
        what = " · ".join(p for p in (amount(log.sets, log.reps, log.duration_s, log.distance_m, ctx.locale),
                                      load(log.load, log.unit, ctx.locale) if log.load is not None else "") if p)
        lines.append(f"• *{_name(ctx, log.exercise_key, names)}* {what}".rstrip())
        lines += [ctx.t("record_line", exercise=_name(ctx, r.exercise_key, names), what=record_text(ctx, r))
                  for r in item.records if r.previous is not None and r.kind != "load"]
    ctx.say("logged", lines="\n".join(lines))


def record_text(ctx: Ctx, record: PersonalRecord) -> str:
    if record.kind == "load":
        return ctx.t("record_load", load=load(record.value, "kg", ctx.locale), reps=record.reps)
    if record.kind == "e1rm":
        return ctx.t("record_e1rm", value=number(record.value, ctx.locale))
    if record.kind == "distance":
        return ctx.t("record_distance", value=distance(record.value, ctx.locale))
    return ctx.t("record_pace", value=_pace(record.value))


def _pace(seconds_per_km: float) -> str:
    whole = round(seconds_per_km)
    return f"{whole // 60}:{whole % 60:02d}"


async def finish(ctx: Ctx) -> None:
    """ "terminei": today's session closed, with its volume, time, records and the weekly streak."""
    ctx.state.reset()
    summary = await workouts.finish(ctx.session, ctx.business.id, ctx.client.id, ctx.client_today, ctx.now)
    if summary is None:
        ctx.say("nothing_logged_today")
        return
    names = await library.business_library(ctx.session, ctx.business.id)
    text = ctx.t("finished", exercises=summary.exercises, sets=summary.sets,
                 volume=number(summary.volume_kg, ctx.locale) if summary.volume_kg else None, minutes=summary.minutes)
    shown = [r for r in summary.records if r.kind in ("e1rm", "distance", "pace")]
    if shown:
        text += "\n" + ctx.t("finished_records", records="; ".join(
            f"{_name(ctx, r.exercise_key, names)} ({record_text(ctx, r)})" for r in shown))
    if streak := await _streak(ctx):
        text += "\n" + ctx.t("streak_line", weeks=streak, per_week=ctx.business.streak_days_per_week)
    ctx.send(Text(text))


async def _streak(ctx: Ctx) -> int:
    today = ctx.client_today
    days = await training_days(ctx.session, ctx.business.id, [ctx.client.id], today - timedelta(days=7 * 52), today,
                               ctx.client_tz)
    return weekly_streak(days[ctx.client.id], today, ctx.business.streak_days_per_week)


# --- progress, measurements, photos --------------------------------------------------------------

async def progress(ctx: Ctx) -> None:
    """ "meu progresso": records, the last 4 weeks, the streak and the measurements."""
    names = await library.business_library(ctx.session, ctx.business.id)
    bests = await records.bests(ctx.session, ctx.client.id)
    today = ctx.client_today
    monday = today - timedelta(days=today.weekday() + 21)
    weeks = await workouts.weekly_counts(ctx.session, ctx.client.id, monday, 4)
    since = datetime.combine(monday, time.min, ctx.client_tz)
    body = [line for kind in measurements.KINDS if (line := await _measurement_line(ctx, kind, since))]
    if not bests and not any(s for _, s, _ in weeks) and not body:
        ctx.say("progress_empty")
        return
    parts = [ctx.t("progress_title")]
    shown = _record_lines(ctx, bests, names)
    if shown:
        parts.append(ctx.t("progress_records") + "\n" + "\n".join(shown))
    parts.append(ctx.t("progress_weeks") + "\n" + "\n".join(
        ctx.t("week_line", monday=f"{m:%d/%m}", sessions=s, volume=number(v, ctx.locale) if v else None) for m, s, v in weeks))
    if streak := await _streak(ctx):
        parts.append(ctx.t("streak_line", weeks=streak, per_week=ctx.business.streak_days_per_week))
    if body:
        parts.append(ctx.t("progress_body") + "\n" + "\n".join(body))
    parts.append(ctx.t("progress_photo_hint"))
    ctx.send(Text("\n\n".join(parts)[:MAX_TEXT]))


def _record_lines(ctx: Ctx, bests: list[PersonalRecord], names: dict[str, Exercise]) -> list[str]:
    """One line per exercise: its heaviest set (and estimated 1RM), or its longest distance and best pace."""
    by_exercise: dict[str, dict[str, PersonalRecord]] = {}
    for r in bests:
        by_exercise.setdefault(r.exercise_key, {})[r.kind] = r
    lines = []
    for key, kinds in list(by_exercise.items())[:10]:
        what = [record_text(ctx, kinds[k]) for k in ("load", "e1rm", "distance", "pace") if k in kinds]
        when = max(r.achieved_at for r in kinds.values()).astimezone(ctx.client_tz)
        lines.append(f"• {_name(ctx, key, names)}: {' · '.join(what)} ({when:%d/%m})")
    return lines


async def _measurement_line(ctx: Ctx, kind: str, since: datetime) -> str | None:
    rows = await measurements.history(ctx.session, ctx.client.id, kind)
    if not rows:
        return None
    last = rows[-1]
    earlier = [r for r in rows if r.taken_at <= since] or rows[:1]
    change = (last.value or 0) - (earlier[-1].value or 0) if earlier[-1].id != last.id else 0
    return ctx.t("measurement_line", kind=kind, value=f"{number(last.value or 0, ctx.locale)} {last.unit}",
                 change=_signed(ctx, change, last.unit) if change else None)


def _signed(ctx: Ctx, change: float, unit: str | None) -> str:
    return f"{'+' if change > 0 else '−'}{number(abs(change), ctx.locale)} {unit}"


def measurement(text: str) -> tuple[str, float] | None:
    """('weight', 62.0) from "peso 62kg"; pounds become kilos. None when the message is not one."""
    found = _MEASURE.match(fold_keep_decimals(text))
    if not found:
        return None
    kind, value, unit = _MEASURE_KIND[found.group(1)], float(found.group(2).replace(",", ".")), found.group(3)
    if kind == "weight" and unit in ("lb", "lbs"):
        value = round(value * 0.45359237, 1)
    return kind, value


def fold_keep_decimals(text: str) -> str:
    return fold(re.sub(r"(\d)[.,](\d)", r"\1DECIMAL\2", text.replace("%", " PERCENT "))).replace("decimal", ".").replace(
        " percent", "%").strip()


async def typed_measurement(ctx: Ctx, text: str) -> bool:
    found = measurement(text)
    if found is None:
        return False
    kind, value = found
    row = await measurements.record(ctx.session, ctx.business.id, ctx.client.id, kind, value, ctx.now)
    before = await measurements.previous(ctx.session, ctx.client.id, kind, row.id)
    change = value - before.value if before is not None and before.value is not None else 0
    ctx.say("measurement_saved", kind=kind, value=f"{number(value, ctx.locale)} {row.unit}",
            change=_signed(ctx, change, row.unit) if change else None)
    return True


def is_progress_photo(caption: str | None, state_flow: str | None) -> bool:
    """A photo for the client's progress: its caption says so ("progresso", "shape"), or the bot just asked."""
    return state_flow == "progress" or bool(set(fold(caption or "").split()) & _PHOTO_WORDS)


async def photo(ctx: Ctx, media_id: str) -> None:
    await measurements.record_photo(ctx.session, ctx.business.id, ctx.client.id, media_id, ctx.now)
    ctx.state.reset()
    ctx.say("photo_saved")


# --- meals ---------------------------------------------------------------------------------------

async def meals_today(ctx: Ctx, u: Understanding | None = None) -> None:
    on = asked_day(ctx, u)
    plan = await meals.active_meal_plan(ctx.session, ctx.business.id, ctx.client.id)
    if plan is None:
        ctx.say("no_meal_plan")
        return
    day_meals = await meals.meals_on(ctx.session, plan, on)
    if not day_meals:
        ctx.say("no_meals_today", day=_day_name(ctx, on))
        return
    lines = []
    for meal in day_meals:
        items = "\n".join(f"   • {line.strip()}" for line in meal.items.splitlines() if line.strip())
        lines.append(f"*{meal.name}*{' · ' + meal.at_time if meal.at_time else ''}\n{items}"
                     + (f"\n   _{meal.notes}_" if meal.notes else ""))
    for chunk in split_at_items(ctx.t("meals_header", day=_day_name(ctx, on), plan=plan.name), lines):
        ctx.send(Text(chunk))


# --- helpers ------------------------------------------------------------------------------------

def _name(ctx: Ctx, key: str, names: dict[str, Exercise]) -> str:
    exercise = names.get(key)
    return exercise.name(ctx.locale) if exercise else key

