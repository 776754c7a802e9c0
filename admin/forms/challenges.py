"""The challenge form: a name, a target of training days and the local dates it runs between."""
from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.fields import PanelDate
from admin.i18n import _
from domain.training.challenge_edits import NAME_MAX, TARGET_MAX


class ChallengeForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=NAME_MAX)
    target: int = Field(ge=1, le=TARGET_MAX)
    starts_on: PanelDate
    ends_on: PanelDate

    @field_validator("ends_on")
    @classmethod
    def _not_before_start(cls, value: date, info: ValidationInfo) -> date:
        starts_on = info.data.get("starts_on")
        if starts_on is not None and value < starts_on:
            raise ValueError(_("The challenge cannot end before it starts."))
        return value
