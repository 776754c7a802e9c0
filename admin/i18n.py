"""The panel in pt-BR and English: gettext catalogs (Babel), the request's language, and Babel's dates and money.

Pages and Python code call `_()`; which catalog answers is the request's, held in a context variable the panel's
guard sets (each aiohttp request runs in a task of its own, so requests never see each other's language).
"""
from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

PANEL_LOCALES = ("pt-BR", "en")
NAMES = {"pt-BR": "Português (Brasil)", "en": "English"}
CATALOG_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("panel_locale", default="en")


def panel_locale(choice: str | None) -> str:
    """One of the panel's languages for a user's pick, a business's locale or a header's language; English else."""
    if choice in PANEL_LOCALES:
        return choice  # type: ignore[return-value]
    return "pt-BR" if choice and choice.lower().startswith("pt") else "en"


def from_accept_language(header: str) -> str:
    """The panel's language a browser asks for first (for pages before login); English when it asks for neither."""
    for part in header.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("pt"):
            return "pt-BR"
        if tag.startswith("en"):
            return "en"
    return "en"


def use_locale(locale: str) -> None:
    """Make `locale` the language of everything this request renders from here on."""
    _current.set(locale)


def current_locale() -> str:
    return _current.get()


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalog of `locale`; English is the source language and needs none."""
    po_path = CATALOG_DIR / locale.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"
    if locale == "en" or not po_path.exists():
        return NullTranslations()
    # Compiled in memory from the .po the team edits, so no binary .mo file is kept in the repository.
    with po_path.open("rb") as source:
        catalog = read_po(source, locale=locale.replace("-", "_"))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def gettext(message: str) -> str:
    """`message` in the request's language (Jinja's i18n extension fills placeholders itself)."""
    return translations(current_locale()).gettext(message)


def ngettext_plain(singular: str, plural: str, n: int) -> str:
    return translations(current_locale()).ngettext(singular, plural, n)


def _(message: str, **params: Any) -> str:
    """`message` in the request's language, with `%(name)s` placeholders filled from `params`."""
    text = gettext(message)
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params: Any) -> str:
    """The singular or plural of a message in the request's language; `%(num)s` is n."""
    return ngettext_plain(singular, plural, n) % {"num": n, **params}


def _babel(locale: str) -> str:
    return locale.replace("-", "_")


def money(cents: int, currency: str) -> str:
    """ "R$ 150,00" for pt-BR, "R$150.00" for English."""
    return format_currency(cents / 100, currency, locale=_babel(current_locale())).replace("\xa0", " ")


def number(value: float, digits: int = 1) -> str:
    """A decimal in the request's language: "42,5" or "42.5"."""
    return format_decimal(round(value, digits), locale=_babel(current_locale()))


def weekday(day: date, width: str = "abbreviated") -> str:
    """ "qui" / "Thu" (abbreviated) or "quinta-feira" / "Thursday" (wide); CLDR's trailing dot is dropped."""
    return get_day_names(width, locale=_babel(current_locale()))[day.weekday()].rstrip(".")


# Day before month and a 24-hour clock in both languages: the studios are in Brazil, and so is who reads English here.
def day_month(day: date) -> str:
    """ "03/12"."""
    return format_date(day, "dd/MM", locale=_babel(current_locale()))


def short_date(day: date) -> str:
    """ "03/12/2026"."""
    return format_date(day, "dd/MM/yyyy", locale=_babel(current_locale()))


def day_label(day: date) -> str:
    """ "qui, 03/12/2026" / "Thu, 03/12/2026"."""
    return f"{weekday(day)}, {short_date(day)}"


def clock(moment: datetime) -> str:
    """ "18:30"."""
    return format_time(moment, "HH:mm", locale=_babel(current_locale()))


def local(moment: datetime, tz: str | ZoneInfo) -> datetime:
    return moment.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz))


def moment_label(moment: datetime | None, tz: str | ZoneInfo) -> str:
    """ "qui, 03/12/2026 18:30" in the business's time zone; "—" for none."""
    if moment is None:
        return "—"
    at = local(moment, tz)
    return f"{day_label(at.date())} {clock(at)}"


def month_label(day: date) -> str:
    """ "dezembro de 2026" / "December 2026"."""
    return format_date(day, "MMMM 'de' yyyy" if current_locale() == "pt-BR" else "MMMM yyyy", locale=_babel(current_locale()))


def language_name(locale: str) -> str:
    return NAMES.get(locale, locale)


def template_globals() -> dict[str, Any]:
    """What every panel template may call: the formats above, by name."""
    return {"money": money, "number": number, "weekday": weekday, "day_month": day_month, "short_date": short_date,
            "day_label": day_label, "clock": clock, "moment_label": moment_label, "month_label": month_label,
            "current_locale": current_locale, "panel_locales": PANEL_LOCALES, "language_name": language_name}
