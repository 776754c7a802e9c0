"""The public sign-up form: the studio, its owner's login, and where it is."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.people.admin_users import MIN_PASSWORD_CHARS
from domain.platform.signups import valid_timezone

# The zones a studio picks from: Brazil's, then a few more; any IANA zone is accepted from a hand-made post.
TIMEZONES = ("America/Sao_Paulo", "America/Manaus", "America/Cuiaba", "America/Porto_Velho", "America/Rio_Branco",
             "America/Belem", "America/Fortaleza", "America/Recife", "America/Bahia", "America/Noronha", "Europe/Lisbon",
             "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "Europe/London", "UTC")


class SignupForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    business_name: str = Field(min_length=2, max_length=120)
    name: str = Field(min_length=1, max_length=120)
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=MIN_PASSWORD_CHARS, max_length=1024)
    locale: Literal["pt-BR", "en"] = "pt-BR"
    timezone: str = Field("America/Sao_Paulo", max_length=64)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        if not valid_timezone(zone):
            raise ValueError("Choose a time zone from the list.")
        return zone
