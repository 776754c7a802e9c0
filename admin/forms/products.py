"""The product form: a session pack, a membership or a drop-in, and its price."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.forms.services import Price, price_to_cents
from admin.i18n import _
from domain.payments.products import MAX_CREDITS, MAX_VALIDITY_DAYS


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class ProductForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: Literal["pack", "membership", "drop_in"]
    name: str = Field(min_length=1, max_length=120)
    price: Price
    credits: int | None = Field(None, ge=1, le=MAX_CREDITS, validate_default=True)
    validity_days: int | None = Field(None, ge=1, le=MAX_VALIDITY_DAYS)
    period: Literal["month", "quarter", "year"] | None = Field(None, validate_default=True)
    sessions_per_week: int | None = Field(None, ge=1, le=14)

    _blanks = field_validator("credits", "validity_days", "period", "sessions_per_week", mode="before")(_blank_is_none)

    @field_validator("credits")
    @classmethod
    def _pack_has_credits(cls, value: int | None, info) -> int | None:  # type: ignore[no-untyped-def]
        if info.data.get("kind") == "pack" and value is None:
            raise ValueError(_("A pack needs its number of credits."))
        return value

    @field_validator("period")
    @classmethod
    def _membership_has_period(cls, value: str | None, info) -> str | None:  # type: ignore[no-untyped-def]
        if info.data.get("kind") == "membership" and value is None:
            raise ValueError(_("A membership lasts a month, a quarter or a year."))
        return value

    @property
    def price_cents(self) -> int:
        return price_to_cents(self.price)

    def fields(self) -> dict[str, object]:
        """What domain.payments.products takes."""
        return {"kind": self.kind, "name": self.name, "price_cents": self.price_cents, "credits": self.credits,
                "validity_days": self.validity_days, "period": self.period, "sessions_per_week": self.sessions_per_week}
