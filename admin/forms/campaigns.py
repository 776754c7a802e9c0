"""The campaign form: whom, what, when, whom never, the holdout and how long a conversion may take."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.forms.automation import clock_minutes, clock_text
from domain.retention.campaigns import (
    CONTACTED_DAYS_MAX,
    CONVERSION_DAYS_MAX,
    DAILY_CAP_MAX,
    HOLDOUT_MAX,
    HOLDOUT_MIN,
    MESSAGE_MAX,
    NAME_MAX,
    CampaignSettings,
)

DAY_END = "24:00"


class CampaignForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=NAME_MAX)
    segment: Literal["at_risk", "inactive_30d", "all_active"]
    min_risk: int = Field(default=0, ge=0, le=100)  # percent
    message: str = Field(min_length=1, max_length=MESSAGE_MAX)
    template: str = Field(default="", max_length=600)  # "name|language" of an approved template, or none
    book_button: bool = False
    send_from: str
    send_until: str
    daily_cap: int = Field(ge=1, le=DAILY_CAP_MAX)
    exclude_contacted_days: int = Field(default=0, ge=0, le=CONTACTED_DAYS_MAX)
    holdout_percent: int = Field(ge=HOLDOUT_MIN, le=HOLDOUT_MAX)
    conversion_days: int = Field(ge=1, le=CONVERSION_DAYS_MAX)

    @field_validator("send_from", "send_until")
    @classmethod
    def _clock(cls, value: str) -> str:
        if value != DAY_END:
            clock_minutes(value)
        return value

    def settings(self) -> CampaignSettings:
        name, _, language = self.template.partition("|")
        return CampaignSettings(
            name=self.name, segment=self.segment, min_risk=self.min_risk / 100, message=self.message,
            template_name=name or None, template_language=language or None, book_button=self.book_button,
            send_from_min=_minutes(self.send_from), send_until_min=_minutes(self.send_until), daily_cap=self.daily_cap,
            exclude_contacted_days=self.exclude_contacted_days, holdout_percent=self.holdout_percent,
            conversion_days=self.conversion_days)


def _minutes(value: str) -> int:
    return 24 * 60 if value == DAY_END else clock_minutes(value)


def blank_values() -> dict[str, Any]:
    """What a new campaign's form starts with."""
    return {"name": "", "segment": "at_risk", "min_risk": "50", "message": "Oi {first_name}! Sentimos sua falta no {business}. "
            "Que tal marcar um treino esta semana?", "template": "", "book_button": True, "send_from": "10:00",
            "send_until": "19:00", "daily_cap": "50", "exclude_contacted_days": "7", "holdout_percent": "20",
            "conversion_days": "14"}


def campaign_values(c: Any) -> dict[str, Any]:
    """A saved campaign as its form's values."""
    return {"name": c.name, "segment": c.segment, "min_risk": str(round(c.min_risk * 100)), "message": c.message,
            "template": f"{c.template_name}|{c.template_language}" if c.template_name else "", "book_button": c.book_button,
            "send_from": window_text(c.send_from_min), "send_until": window_text(c.send_until_min),
            "daily_cap": str(c.daily_cap), "exclude_contacted_days": str(c.exclude_contacted_days),
            "holdout_percent": str(c.holdout_percent), "conversion_days": str(c.conversion_days)}


def window_text(minutes: int) -> str:
    return DAY_END if minutes >= 24 * 60 else clock_text(minutes)
