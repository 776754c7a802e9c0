"""The webhook endpoint form: a URL and the events it wants (at least one)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.i18n import _
from domain.webhooks.endpoints import EVENTS, MAX_URL


class WebhookForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    url: str = Field(min_length=1, max_length=MAX_URL)
    events: list[str] = Field(min_length=1)

    @field_validator("events")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        if set(value) - set(EVENTS):
            raise ValueError(_("Choose among the events listed."))
        return value
