"""Money as clients read it, in their locale: "R$ 450,00", "R$450.00"."""
from __future__ import annotations

from babel.numbers import format_currency


def money(cents: int, currency: str, locale: str) -> str:
    # Babel puts a no-break space after "R$"; a plain one reads the same and matches what people type.
    return format_currency(cents / 100, currency, locale=locale.replace("-", "_")).replace("\xa0", " ")
