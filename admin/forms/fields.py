"""Field types every panel form shares: ids no row can be beyond, and dates the calendar arithmetic can handle."""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator

from admin.i18n import _
from domain.sql.types import MAX_BIG_ID

# Far beyond any booking, far from datetime's year 1 and 9999, so time zones and week edges never overflow.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 12, 31)


def out_of_range() -> str:
    return _("Give a date from %(first)s to %(last)s.", first=FIRST_DAY.year, last=LAST_DAY.year)


def is_row_id(value: int) -> bool:
    """Whether a row could have this id (positive, and within the databases' 64-bit integer)."""
    return 0 < value <= MAX_BIG_ID


def _row_id(value: int) -> int:
    if not is_row_id(value):
        raise ValueError(_("Pick one from the list."))
    return value


def _day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(out_of_range())
    return value


def _moment(value: datetime) -> datetime:
    _day(value.date())
    return value


RowId = Annotated[int, AfterValidator(_row_id)]
PanelDate = Annotated[date, AfterValidator(_day)]
PanelDateTime = Annotated[datetime, AfterValidator(_moment)]


def row_id_or_none(text: str | None) -> int | None:
    """An id typed into a query string, or None when no row could have it."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_BIG_ID)):
        return None
    return int(text) if is_row_id(int(text)) else None


def day_or_none(text: str | None) -> date | None:
    """A YYYY-MM-DD from a query string, or None when it is not a date the panel shows."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else None
