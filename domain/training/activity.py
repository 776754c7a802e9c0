"""Training days: the local dates a client trained, by a check-in or a logged workout."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import CheckIn, WorkoutSession


async def training_days(session: AsyncSession, business_id: int, client_ids: list[int], first: date, last: date,
                        tz: ZoneInfo) -> dict[int, set[date]]:
    """Each client's training days between two local dates (both included)."""
    days: dict[int, set[date]] = {c: set() for c in client_ids}
    if not client_ids:
        return days
    sessions = await session.execute(
        select(WorkoutSession.client_id, WorkoutSession.local_date).where(
            WorkoutSession.business_id == business_id, WorkoutSession.client_id.in_(client_ids),
            WorkoutSession.local_date.between(first, last)))
    for client_id, day in sessions:
        days[client_id].add(day)
    start = datetime.combine(first, time.min, tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(UTC)
    check_ins = await session.execute(
        select(CheckIn.client_id, CheckIn.checked_in_at).where(
            CheckIn.business_id == business_id, CheckIn.client_id.in_(client_ids),
            CheckIn.checked_in_at >= start, CheckIn.checked_in_at < end))
    for client_id, at in check_ins:
        days[client_id].add(at.astimezone(tz).date())
    return days


def weekly_streak(days: set[date], today: date, per_week: int) -> int:
    """Weeks in a row (Monday to Sunday) with at least `per_week` training days, up to this week.

    This week counts once it is reached; until then it does not break the streak.
    """
    monday = today - timedelta(days=today.weekday())
    count = lambda start: sum(1 for d in days if start <= d < start + timedelta(days=7))  # noqa: E731
    streak = 1 if count(monday) >= per_week else 0
    week = monday - timedelta(days=7)
    while count(week) >= per_week:
        streak += 1
        week -= timedelta(days=7)
    return streak
