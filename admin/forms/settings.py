"""Settings forms: business profile, booking policies and the WhatsApp connection."""
from __future__ import annotations

from functools import lru_cache
from typing import Literal
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.i18n import _

DAY_MIN = 24 * 60
WEEK_MIN = 7 * DAY_MIN


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    """The IANA zones to pick from, by region ("America/Sao_Paulo" as "America / Sao Paulo")."""
    names = sorted(z for z in known_zones() if "/" in z and not z.startswith(("posix/", "right/", "Etc/", "SystemV/")))
    return [(z, z.replace("/", " / ").replace("_", " ")) for z in names]


class BusinessForm(BaseModel):
    """Name, place and check-in settings of the business."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    timezone: str
    locale: Literal["pt-BR", "en"]
    currency: str
    address: str | None = Field(None, max_length=300)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180, validate_default=True)
    checkin_radius_m: int = Field(150, ge=10, le=5000)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in known_zones():
            raise ValueError(_("%(zone)s is not a time zone; use a name like America/Sao_Paulo or Europe/Lisbon.", zone=repr(value)))
        return value

    @field_validator("currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        code = value.upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise ValueError(_("Use the 3-letter ISO 4217 code, e.g. BRL, USD or EUR."))
        return code

    @field_validator("longitude")
    @classmethod
    def _both_coordinates(cls, value: float | None, info: ValidationInfo) -> float | None:
        if "latitude" in info.data and (info.data["latitude"] is None) != (value is None):
            raise ValueError(_("Give both latitude and longitude, or neither."))
        return value


class PoliciesForm(BaseModel):
    """The booking policy, in minutes unless the name says days."""

    min_notice_min: int = Field(ge=0, le=WEEK_MIN)
    max_horizon_days: int = Field(ge=1, le=365)
    slot_step_min: int = Field(ge=5, le=240)
    late_cancel_window_min: int = Field(ge=0, le=WEEK_MIN)
    no_show_after_min: int = Field(ge=1, le=240)
    booking_requires_credit: bool = False
    waitlist_hold_min: int = Field(ge=5, le=DAY_MIN)
    past_due_grace_days: int = Field(7, ge=0, le=60)
    payment_hold_min: int = Field(30, ge=5, le=DAY_MIN)

    @field_validator("slot_step_min")
    @classmethod
    def _whole_five_minutes(cls, value: int) -> int:
        if value % 5:
            raise ValueError(_("Use a multiple of 5 minutes (e.g. 15, 30 or 60)."))
        return value

    @field_validator("max_horizon_days")
    @classmethod
    def _horizon_beyond_notice(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("min_notice_min", 0) >= value * DAY_MIN:
            raise ValueError(_("Clients must be able to book further ahead than the minimum notice."))
        return value


class WhatsAppForm(BaseModel):
    """The business's Cloud API number and, optionally, its own access token."""

    model_config = ConfigDict(str_strip_whitespace=True)

    phone_number_id: str = Field(min_length=1, max_length=64)
    display_phone_number: str | None = Field(None, max_length=32)
    access_token: str | None = Field(None, max_length=1024)
    app_secret: str | None = Field(None, max_length=128)

    @field_validator("phone_number_id")
    @classmethod
    def _digits(cls, value: str) -> str:
        if not value.isdigit():
            raise ValueError(_("The phone number id is the number Meta shows under API Setup: digits only."))
        return value

    @field_validator("display_phone_number")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        digits = "".join(ch for ch in value or "" if ch.isdigit())
        if value and not 8 <= len(digits) <= 15:
            raise ValueError(_("Write the number with its country code, e.g. +55 11 93000-0000."))
        return digits or None

    @field_validator("access_token")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        if value and (len(value) < 20 or any(ch.isspace() for ch in value)):
            raise ValueError(_("That does not look like an access token (a long text without spaces)."))
        return value
