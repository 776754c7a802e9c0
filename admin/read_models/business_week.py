"""Weeks in a business's time zone (Monday to Sunday) and their UTC edges, DST-safe."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case

from domain.scheduling.availability import local_day_bounds


def local_today(now: datetime, tz: str) -> date:
    """The business's calendar date at `now`."""
    return now.astimezone(ZoneInfo(tz)).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_edges(first_monday: date, tz: str, weeks: int = 1) -> list[datetime]:
    """The UTC instants of the local midnights that start `weeks` consecutive weeks, plus the end of the last.

    Each edge is converted on its own, so a week holding a DST change is 167 or 169 hours long.
    """
    return [local_day_bounds(first_monday + timedelta(weeks=n), tz)[0] for n in range(weeks + 1)]


def bucket(column: Any, edges: Sequence[datetime]) -> Any:
    """A SQL expression: the index of the [edges[i], edges[i+1]) range holding `column` (portable CASE)."""
    return case(*((column < edge, index) for index, edge in enumerate(edges[1:])), else_=None)
