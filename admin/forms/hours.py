"""Weekly hours typed per day ("06:00-12:00, 14:00-21:00") and the time-off form."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.fields import PanelDateTime
from admin.i18n import _
from admin.i18n import weekday as day_name
from domain.scheduling.weekly_hours import Block

_TIME = r"(\d{1,2})(?:[:h.](\d{2}))?h?"
_RANGE = re.compile(rf"^{_TIME}\s*(?:-|–|to|a|às)\s*{_TIME}$")
_A_MONDAY = date(2024, 1, 1)


def weekday_names() -> list[str]:
    """Monday to Sunday in the panel's language ("Monday", "Segunda-feira"), as Babel names them."""
    names = (day_name(_A_MONDAY + timedelta(days=d), "wide") for d in range(7))
    return [name[:1].upper() + name[1:] for name in names]


def _clock(hour: str, minute: str | None) -> time | None:
    """The time of day, or None when the hour or minute is out of range."""
    h, m = int(hour), int(minute or 0)
    return time(h, m) if h <= 23 and m <= 59 else None


def parse_day(text: str, weekday: int) -> list[Block]:
    """The blocks typed for one weekday; ValueError naming the day and the piece it could not read."""
    day = weekday_names()[weekday]
    blocks = []
    for piece in (p.strip() for p in re.split(r"[,;\n]", text)):
        if not piece:
            continue
        match = _RANGE.match(piece.lower())
        if match is None:
            raise ValueError(_("%(day)s: could not read %(piece)s (write it as 06:00-12:00).", day=day, piece=repr(piece)))
        for hour, minute in (match.group(1, 2), match.group(3, 4)):
            if _clock(hour, minute) is None:
                typed = hour + ":" + (minute or "00")
                raise ValueError(_("%(day)s: could not read %(piece)s (%(time)s is not a time of day).", day=day,
                                   piece=repr(piece), time=typed))
        blocks.append(Block(weekday, _clock(*match.group(1, 2)), _clock(*match.group(3, 4))))  # type: ignore[arg-type]
    return _checked(blocks, day)


def _span(block: Block) -> str:
    """ "06:00–12:00"."""
    return f"{block.start:%H:%M}–{block.end:%H:%M}"


def _checked(blocks: list[Block], day: str) -> list[Block]:
    """The day's blocks when each ends after it starts and none overlap (what the domain refuses, said here
    in the panel's language); ValueError otherwise."""
    ordered = sorted(blocks)
    for previous, block in zip([None, *ordered], ordered, strict=False):
        this = _span(block)
        if block.end <= block.start:
            raise ValueError(_("%(day)s: %(span)s ends before it starts.", day=day, span=this))
        if previous is not None and block.start < previous.end:
            raise ValueError(_("%(day)s: %(first)s and %(second)s overlap.", day=day, first=_span(previous), second=this))
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
            raise ValueError(_("The end must be after the start."))
        return value
