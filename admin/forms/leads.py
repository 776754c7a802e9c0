"""Validated input of the leads page: a link code, a lead typed in by phone, the trial service."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.forms.fields import RowId
from admin.i18n import _
from domain.people.leads import CODE


class LeadCodeForm(BaseModel):
    """A code for wa.me links (letters and digits) and what it is for ("Instagram bio")."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32)
    label: str = Field(min_length=1, max_length=120)

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        code = value.upper()
        if not CODE.match(code):
            raise ValueError(_("Use 2 to 32 letters or digits, no spaces (e.g. INSTA10)."))
        return code


class LeadLostForm(BaseModel):
    lost: Literal["0", "1"]


class TrialServiceForm(BaseModel):
    """The service first contacts are offered as a trial class; empty for none."""

    service_id: RowId | None = None

    @field_validator("service_id", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return None if value == "" else value
