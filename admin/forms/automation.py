"""Settings → Automated messages: reminder times, the reminder template, follow-ups and quiet hours."""
from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.i18n import _
from domain.messaging.message_templates import NAME_PATTERN

CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_REMINDERS = 3
MAX_REMINDER_HOURS = 7 * 24


def clock_minutes(value: str) -> int:
    """Minutes after midnight of "HH:MM"; ValueError in words otherwise."""
    match = CLOCK.match(value.strip())
    if match is None:
        raise ValueError(_("Write a time as HH:MM, e.g. 22:00."))
    return int(match.group(1)) * 60 + int(match.group(2))


def clock_text(minutes: int | None) -> str:
    """"HH:MM" of minutes after midnight ("" for none)."""
    return "" if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


class AutomationForm(BaseModel):
    """What the scheduler sends on its own, and when it keeps quiet (times in the business's zone)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    reminder_hours: str = Field(max_length=40)
    reminder_template: str = Field(min_length=1, max_length=64)
    followup_enabled: bool = False
    followup_after_min: int = Field(ge=0, le=24 * 60)
    quiet_start: str
    quiet_end: str

    @field_validator("reminder_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        parts = [p.strip() for p in value.replace(";", ",").split(",") if p.strip()]
        if not all(p.isascii() and p.isdigit() and len(p) < 5 for p in parts):
            raise ValueError(_("Write whole hours before the session, separated by commas, e.g. 24, 2."))
        hours = sorted({int(p) for p in parts}, reverse=True)
        if len(hours) > MAX_REMINDERS or any(not 1 <= h <= MAX_REMINDER_HOURS for h in hours):
            raise ValueError(_("Up to %(count)s reminders, each 1 to %(hours)s hours before.", count=MAX_REMINDERS,
                               hours=MAX_REMINDER_HOURS))
        return ",".join(str(h * 60) for h in hours)

    @field_validator("reminder_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError(_("Template names use lower-case letters, digits and underscores, as in Meta's dashboard."))
        return value

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_minutes(value)
        return value

    def business_values(self) -> dict[str, Any]:
        """The Business columns this form sets."""
        return {"reminder_offsets_min": self.reminder_hours, "reminder_template": self.reminder_template,
                "followup_enabled": self.followup_enabled, "followup_after_min": self.followup_after_min,
                "quiet_start_min": clock_minutes(self.quiet_start), "quiet_end_min": clock_minutes(self.quiet_end)}


def form_values(business: Any) -> dict[str, Any]:
    """The form's fields as the business has them now."""
    hours = [int(m) // 60 for m in (business.reminder_offsets_min or "").split(",") if m.strip().isdigit()]
    return {"reminder_hours": ", ".join(str(h) for h in hours), "reminder_template": business.reminder_template,
            "followup_enabled": business.followup_enabled, "followup_after_min": business.followup_after_min,
            "quiet_start": clock_text(business.quiet_start_min), "quiet_end": clock_text(business.quiet_end_min)}
