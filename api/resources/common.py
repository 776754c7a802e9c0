"""What resources share: the token's business, days in its time zone, a page of rows after a cursor."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from api import pagination
from api.schemas import DateRange
from domain.models import Business
from domain.scheduling.availability import local_day_bounds
from domain.scheduling.catalog import get_scoped

Row = TypeVar("Row")


async def business_of(session: AsyncSession, business_id: int) -> Business:
    return await get_scoped(session, Business, business_id, business_id)


def day_span(business: Business, first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """[start of `first`, end of `last`) in the business's time zone, either side open when not given."""
    start = local_day_bounds(first, business.timezone)[0] if first else None
    end = local_day_bounds(last, business.timezone)[1] if last else None
    return start, end


def within(column: Any, business: Business, query: DateRange) -> list[ColumnElement[bool]]:
    """The conditions putting `column` inside the query's days."""
    start, end = day_span(business, query.from_, query.to)
    return [c for c in (column >= start if start else None, column < end if end else None) if c is not None]


def after_time_cursor(time_column: Any, id_column: Any, cursor: str | None) -> list[ColumnElement[bool]]:
    """Rows after the cursor's (time, id), for lists ordered by time then id."""
    if cursor is None:
        return []
    at, row_id = pagination.decode(cursor, (datetime, int))
    return [or_(time_column > at, and_(time_column == at, id_column > row_id))]


def after_id_cursor(id_column: Any, cursor: str | None) -> list[ColumnElement[bool]]:
    if cursor is None:
        return []
    (row_id,) = pagination.decode(cursor, (int,))
    return [id_column > row_id]


def page(rows: Sequence[Row], limit: int, key: Callable[[Row], tuple[Any, ...]]) -> tuple[list[Row], str | None]:
    """The first `limit` rows (the query fetched one more) and the cursor to the next page, if there is one."""
    if len(rows) <= limit:
        return list(rows), None
    shown = list(rows[:limit])
    return shown, pagination.encode(*key(shown[-1]))
