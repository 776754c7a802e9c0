"""Training quantities as clients read them: "42,5 kg", "3×10", "45 s", "5 km", "28:00", "5:36/km"."""
from __future__ import annotations

from babel.numbers import format_decimal

from domain.models import ProgramItem, WorkoutLog


def number(value: float, locale: str) -> str:
    """1234.5 → "1.234,5" (pt-BR) / "1,234.5" (en); whole numbers without decimals."""
    return format_decimal(round(value, 1), format="#,##0.#", locale=locale.replace("-", "_"))


def clock(seconds: int) -> str:
    """1680 → "28:00"; 4200 → "1:10:00"."""
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def duration(seconds: int, locale: str) -> str:
    """45 → "45 s"; 90 → "90 s" (rests read in seconds); 600 → "10 min"; 610 → "10:10"."""
    if seconds % 60 == 0 and 0 < seconds < 3600:
        return f"{seconds // 60} min"
    return f"{seconds} s" if seconds < 180 else clock(seconds)


def distance(metres: float, locale: str) -> str:
    return f"{number(metres / 1000, locale)} km" if metres >= 1000 else f"{number(metres, locale)} m"


def load(value: float, unit: str | None, locale: str) -> str:
    return f"{number(value, locale)} {unit or 'kg'}"


def amount(sets: int | None, reps: int | None, seconds: int | None, metres: float | None, locale: str) -> str:
    """ "3×10", "3×45 s", "5 km em 28:00", "20" — what was done, without the load."""
    many = sets is not None and sets > 1
    if metres:
        done = f"{sets}×{distance(metres, locale)}" if many else distance(metres, locale)
        return f"{done} {'em' if locale == 'pt-BR' else 'in'} {clock(seconds)}" if seconds else done
    each = str(reps) if reps else duration(seconds, locale) if seconds else ""
    return f"{sets}×{each}" if many else each


def prescribed(item: ProgramItem, locale: str) -> str:
    """ "4×10 · 40 kg · descanso 90 s", "3×45 s", "5 km", "4×8 · 75% 1RM", "3×10 · RPE 8"."""
    parts = [amount(item.sets, item.reps, item.duration_s, item.distance_m, locale)]
    if item.load_kg:
        parts.append(load(item.load_kg, "kg", locale))
    elif item.load_pct_1rm:
        parts.append(f"{item.load_pct_1rm}% 1RM")
    if item.rpe:
        parts.append(f"RPE {number(item.rpe, locale)}")
    if item.rest_s:
        parts.append(("descanso " if locale == "pt-BR" else "rest ") + duration(item.rest_s, locale))
    return " · ".join(p for p in parts if p)


def logged(log: WorkoutLog, locale: str) -> str:
    """ "3×10 · 42,5 kg", "5 km em 28:00"."""
    parts = [amount(log.sets, log.reps, log.duration_s, log.distance_m, locale)]
    if log.load is not None:
        parts.append(load(log.load, log.unit, locale))
    return " · ".join(p for p in parts if p)
