"""The service form: what is sold, for how long, at what price, by whom."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.fields import RowId
from admin.i18n import _, current_locale
from domain.scheduling.catalog import MAX_BUFFER_MIN, MAX_DURATION_MIN

MAX_PRICE_CENTS = 10_000_000


def price_to_cents(text: str) -> int:
    """ "120", "120,50", "1.200,50" or "1,200.50" as cents; ValueError in words otherwise."""
    raw = text.strip().replace(" ", "")
    if "," in raw and "." in raw:
        # The separator that comes last is the decimal one; the other groups thousands.
        thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
        raw = raw.replace(thousands, "")
    try:
        amount = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("Write the price as a number, e.g. 120 or 120,50.")) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(_("The price must be zero or more, with at most 2 decimals."))
    cents = int(amount * 100)
    if cents > MAX_PRICE_CENTS:
        raise ValueError(_("That price is too high."))
    return cents


def price_text(cents: int) -> str:
    """A price as it goes back into its input: "120,50" in pt-BR, "120.50" in English (both read back the same)."""
    text = f"{cents / 100:.2f}"
    return text.replace(".", ",") if current_locale() == "pt-BR" else text


def _checked_price(value: str) -> str:
    price_to_cents(value)
    return value


# A price as typed, checked to be one (read it with price_to_cents).
Price = Annotated[str, AfterValidator(_checked_price)]


class ServiceForm(BaseModel):
    """A personal session (one client) or a group class (several seats)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    kind: Literal["personal", "class"]
    duration_min: int = Field(ge=5, le=MAX_DURATION_MIN)
    price: Price = "0"
    capacity: int = Field(1, ge=1, le=500, validate_default=True)
    buffer_before_min: int = Field(0, ge=0, le=MAX_BUFFER_MIN)
    buffer_after_min: int = Field(0, ge=0, le=MAX_BUFFER_MIN)
    credits_required: int = Field(1, ge=0, le=20)
    trainer_ids: list[RowId] = Field(min_length=1)
    aliases: str = Field("", max_length=300)

    @field_validator("capacity")
    @classmethod
    def _class_has_seats(cls, value: int, info: ValidationInfo) -> int:
        if info.data.get("kind") == "personal":
            return 1  # a personal session is one client, whatever the capacity box said
        if info.data.get("kind") == "class" and value < 2:
            raise ValueError(_("A class needs at least 2 seats."))
        return value

    @field_validator("trainer_ids", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    @property
    def price_cents(self) -> int:
        return price_to_cents(self.price)
