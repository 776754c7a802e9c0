"""Times of automated work in the business's own terms: reminder offsets, quiet hours, local clock times."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.models import Business

MINUTES_PER_DAY = 1440
MAX_OFFSET_MIN = 7 * MINUTES_PER_DAY  # reminders are planned at most a week ahead


def reminder_offsets(business: Business) -> list[int]:
    """The business's reminder offsets in minutes, largest first ("1440,120" → [1440, 120]); bad parts ignored."""
    found = {int(p) for p in (business.reminder_offsets_min or "").replace(" ", "").split(",") if p.isdigit()}
    return sorted((o for o in found if 0 < o <= MAX_OFFSET_MIN), reverse=True)


def before_in_local_terms(at: datetime, offset_min: int, tz_name: str) -> datetime:
    """`offset_min` before `at`: whole days on the local wall clock (07:00 the day before stays 07:00
    across a DST change), the rest in real minutes."""
    days, minutes = divmod(offset_min, MINUTES_PER_DAY)
    tz = ZoneInfo(tz_name)
    wall = at.astimezone(tz).replace(tzinfo=None) - timedelta(days=days)
    return wall.replace(tzinfo=tz).astimezone(UTC) - timedelta(minutes=minutes)


def local_at(day: date, minute_of_day: int, tz_name: str) -> datetime:
    """The UTC instant of a local date and clock time (minutes after midnight)."""
    clock = time(minute_of_day // 60 % 24, minute_of_day % 60)
    return datetime.combine(day, clock, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def quiet_until(business: Business, now: datetime) -> datetime | None:
    """When the business's quiet hours end, if `now` falls inside them (local time); else None."""
    start, end = business.quiet_start_min % MINUTES_PER_DAY, business.quiet_end_min % MINUTES_PER_DAY
    if start == end:
        return None
    local = now.astimezone(ZoneInfo(business.timezone))
    minute = local.hour * 60 + local.minute
    overnight = start > end  # 22:00–08:00 wraps past midnight
    inside = (minute >= start or minute < end) if overnight else start <= minute < end
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if overnight and minute >= start else local.date()
    return local_at(end_day, end, business.timezone)
