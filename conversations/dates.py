"""Showing times to clients in their business's time zone and language."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

_WEEKDAYS = {
    "pt-BR": ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}


def when(at: datetime, tz: str, locale: str) -> str:
    """'ter 24/11 às 18:00' or 'Tue 24/11 at 18:00'."""
    local = at.astimezone(ZoneInfo(tz))
    day = _WEEKDAYS.get(locale, _WEEKDAYS["pt-BR"])[local.weekday()]
    joiner = "at" if locale == "en" else "às"
    return f"{day} {local:%d/%m} {joiner} {local:%H:%M}"


def clock_time(at: datetime, tz: str) -> str:
    return f"{at.astimezone(ZoneInfo(tz)):%H:%M}"


def day_label(day: date, locale: str) -> str:
    """'qua 25/11' or 'Wed 25/11'."""
    return f"{_WEEKDAYS.get(locale, _WEEKDAYS['pt-BR'])[day.weekday()]} {day:%d/%m}"
