"""Validated input of the inbox: a free-form reply, or an approved template with its variables."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.i18n import _
from conversations.replies import MAX_TEXT

TEMPLATE_NAME = re.compile(r"^[a-z0-9_]{1,512}$")


class ReplyForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    body: str = Field(max_length=MAX_TEXT)

    @field_validator("body")
    @classmethod
    def _written(cls, value: str) -> str:
        if not value:
            raise ValueError(_("Write a message first"))
        return value


class TemplateForm(BaseModel):
    """A template name and its variables, one per line ({{1}}, {{2}}, … in order).

    Validate with `context={"allowed": [...]}`: when the business has a list, the name must be on it.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    template: str = Field(max_length=512)
    variables: str = Field("", max_length=4000)

    @field_validator("template")
    @classmethod
    def _approved(cls, value: str, info: ValidationInfo) -> str:
        allowed = (info.context or {}).get("allowed") or []
        if not value:
            raise ValueError(_("Choose an approved template"))
        if allowed and value not in allowed:
            raise ValueError(_("“%(name)s” is not one of your approved templates", name=value))
        if not TEMPLATE_NAME.match(value):
            raise ValueError(_("A template name has only lower-case letters, digits and _"))
        return value

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(line.strip() for line in self.variables.splitlines() if line.strip())
