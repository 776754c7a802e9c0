"""Weekly hours typed per day ("06:00-12:00, 14:00-21:00") and the time-off form."""
from __future__ import annotations

import re
from datetime import datetime, time

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.fields import PanelDateTime
from domain.scheduling.weekly_hours import WEEKDAYS, Block

_TIME = r"(\d{1,2})(?:[:h.](\d{2}))?h?"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|to|a|às)\s*{_TIME}$")


def _clock(hour: str, minute: str | None) -> time:
    h, m = int(hour), int(minute or 0)
    if h > 23 or m > 59:
        raise ValueError(f"{hour}:{minute or '00'} is not a time of day")
    return time(h, m)


def parse_day(text: str, weekday: int) -> list[Block]:
    """The blocks typed for one weekday; ValueError naming the day and the piece it could not read."""
    blocks = []
    for piece in (p.strip() for p in re.split(r"[,;\n]", text)):
        if not piece:
            continue
        match = _RANGE.match(piece.lower())
        try:
            if match is None:
                raise ValueError("write it as 06:00-12:00")
            blocks.append(Block(weekday, _clock(*match.group(1, 2)), _clock(*match.group(3, 4))))
        except ValueError as exc:
            raise ValueError(f"{WEEKDAYS[weekday]}: could not read {piece!r} ({exc}).") from None
    return blocks


def parse_week(form: dict[str, str]) -> tuple[list[Block], dict[str, str]]:
    """Blocks from the fields day0..day6, and per-day errors."""
    blocks: list[Block] = []
    errors: dict[str, str] = {}
    for weekday in range(7):
        try:
            blocks += parse_day(form.get(f"day{weekday}", ""), weekday)
        except ValueError as exc:
            errors[f"day{weekday}"] = str(exc)
    return blocks, errors


def day_text(blocks: list[Block], weekday: int) -> str:
    """How a day's blocks are shown back in its input."""
    return ", ".join(f"{b.start:%H:%M}-{b.end:%H:%M}" for b in blocks if b.weekday == weekday)


class TimeOffForm(BaseModel):
    """A period off, in the business's local time."""

    model_config = ConfigDict(str_strip_whitespace=True)

    starts: PanelDateTime
    ends: PanelDateTime
    reason: str | None = Field(None, max_length=200)

    @field_validator("ends")
    @classmethod
    def _after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        starts = info.data.get("starts")
        if starts is not None and value <= starts:
            raise ValueError("The end must be after the start.")
        return value
