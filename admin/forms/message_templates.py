"""The message template form: a template approved in Meta's dashboard, as FitZap will use it."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.i18n import _
from domain.messaging.message_templates import LANGUAGE_PATTERN, MAX_VARIABLES, NAME_PATTERN, VARIABLE_PATTERN


class TemplateForm(BaseModel):
    """Name and language exactly as in Meta's dashboard; variables in the order of {{1}}, {{2}} …"""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=512)
    language: str
    purpose: Literal["reminder", "reengagement", "waitlist", "generic"]
    variables: str = ""

    @field_validator("name")
    @classmethod
    def _meta_name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError(_("Use only lower-case letters, digits and underscores, as in Meta (e.g. class_reminder)."))
        return value

    @field_validator("language")
    @classmethod
    def _meta_language(cls, value: str) -> str:
        if not LANGUAGE_PATTERN.match(value):
            raise ValueError(_("Use Meta's language code, e.g. pt_BR, en or en_US."))
        return value

    @field_validator("variables")
    @classmethod
    def _variables(cls, value: str) -> str:
        names = cls.split(value)
        if len(names) > MAX_VARIABLES:
            raise ValueError(_("At most %(count)s variables.", count=MAX_VARIABLES))
        bad = [n for n in names if not VARIABLE_PATTERN.match(n)]
        if bad:
            raise ValueError(_("%(name)s: variable names are lower-case words with underscores, e.g. client_name.",
                               name=repr(bad[0])))
        return value

    @staticmethod
    def split(value: str) -> list[str]:
        return [part.strip() for part in value.split(",") if part.strip()]

    @property
    def variable_list(self) -> list[str]:
        return self.split(self.variables)
