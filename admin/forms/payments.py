"""The payments page's filters and the client page's "record a payment" and "send a payment link" forms."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from admin.forms.fields import FIRST_DAY, LAST_DAY, RowId
from admin.i18n import _
from admin.read_models.payments import STATUSES, Filters
from domain.payments.purchases import RECORDED_METHODS


def _bad_month() -> str:
    return _("Give a month as YYYY-MM, from 2000 to 2100.")


class RecordPaymentForm(BaseModel):
    """Money the studio received outside Stripe: cash, PIX to its own key, its card machine."""

    model_config = ConfigDict(str_strip_whitespace=True)

    product_id: RowId
    method: Literal[RECORDED_METHODS]  # type: ignore[valid-type]
    note: str = Field("", max_length=200)


class PaymentLinkForm(BaseModel):
    """A product to send the client a payment link for."""

    product_id: RowId


def filters_from(query: dict[str, str]) -> tuple[Filters, dict[str, str]]:
    """The page's filters from its query string; what cannot be read is dropped, with a word why."""
    errors: dict[str, str] = {}
    status = query.get("status") or None
    if status not in (None, *STATUSES):
        errors["status"], status = _("Unknown status."), None
    product_id = None
    if query.get("product_id"):
        raw = query["product_id"]
        product_id = int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 19 else None
        if product_id is None:
            errors["product_id"] = _("Pick a product from the list.")
    month, error = month_from(query.get("month"), None)
    if error:
        errors["month"] = error
    client = (query.get("client") or "").strip()[:60] or None
    return Filters(status, product_id, client, month), errors


def month_from(text: str | None, default: date | None) -> tuple[date | None, str | None]:
    """The first day of a "YYYY-MM" month (the default when not given), or the default and why not."""
    if not text:
        return default, None
    try:
        month = date.fromisoformat(text + "-01")
    except ValueError:
        return default, _bad_month()
    return (month, None) if FIRST_DAY <= month <= LAST_DAY else (default, _bad_month())
