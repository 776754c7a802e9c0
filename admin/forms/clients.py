"""Validated input of the client pages: add/edit a client, write a note."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.settings import known_zones
from admin.i18n import _
from domain.people.phones import InvalidPhone, parse_typed_phone


class ClientForm(BaseModel):
    """A client's name, phone (typed any way; normalised to E.164), chat language and time zone.

    Validate with `context={"region": …}`: the business's country, for numbers typed without +.
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field("", max_length=120)
    phone: str = Field(max_length=40)
    locale: Literal["pt-BR", "en"] = "pt-BR"
    timezone: str = Field("", max_length=64)  # blank: the business's
    email: str = Field("", max_length=254)  # blank: none; booking confirmations when WhatsApp cannot reach them

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            raise ValueError(_("“%(typed)s” is not an email address; type it like ana@example.com", typed=value))
        return value.lower()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value and value not in known_zones():
            raise ValueError(_("%(zone)s is not a time zone; pick one from the list (e.g. America/Manaus).", zone=repr(value)))
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str, info: ValidationInfo) -> str:
        if not value:
            raise ValueError(_("Type the client's WhatsApp number"))
        region = (info.context or {}).get("region")
        try:
            return parse_typed_phone(value, region)
        except InvalidPhone as exc:
            if "not a valid phone number" in str(exc):
                raise ValueError(_("“%(typed)s” is not a valid phone number; check the area code and the digits",
                                   typed=value)) from None
            if region:
                raise ValueError(_("“%(typed)s” is not a phone number; type it like +55 11 98765-4321", typed=value)) from None
            raise ValueError(_("“%(typed)s” is not a phone number; type it with the country code (+…) like +55 11 98765-4321",
                               typed=value)) from None


class NoteForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    body: str = Field(max_length=2000)

    @field_validator("body")
    @classmethod
    def _written(cls, value: str) -> str:
        if not value:
            raise ValueError(_("Write the note first"))
        return value


class ActiveForm(BaseModel):
    active: bool
