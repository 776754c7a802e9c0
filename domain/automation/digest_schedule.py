"""Planning each trainer's daily digest as a due row, at the local time they chose."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation.scheduled_work import insert_rows
from domain.models import Business, Staff
from domain.scheduling.schedule_times import local_at

LATE_BY_AT_MOST = timedelta(hours=2)  # a scheduler back from an outage still sends this morning's digest


async def plan_digests(session: AsyncSession, now: datetime) -> None:
    """Make today's and tomorrow's digest rows for every trainer who chose a time (idempotent).

    One row per trainer and local date (offset_min holds the date as yyyymmdd, target_at its local
    midnight), so changing the time during the day cannot bring a second digest.
    """
    stmt = (select(Staff.id, Staff.business_id, Staff.digest_at_min, Business.timezone)
            .join(Business, Business.id == Staff.business_id)
            .where(Staff.active.is_(True), Staff.digest_at_min.is_not(None),
                   or_(Staff.wa_id.is_not(None), (Staff.digest_channel == "email") & Staff.email.is_not(None))))
    rows = []
    for staff_id, business_id, at_min, tz in (await session.execute(stmt)).all():
        today = now.astimezone(ZoneInfo(tz)).date()
        for day in (today, today + timedelta(days=1)):
            due = local_at(day, at_min, tz)
            if due < now - LATE_BY_AT_MOST:
                continue
            rows.append({"business_id": business_id, "kind": "digest", "subject_id": staff_id,
                         "offset_min": int(f"{day:%Y%m%d}"), "target_at": local_at(day, 0, tz), "due_at": due,
                         "status": "pending", "created_at": now, "updated_at": now})
    await insert_rows(session, rows)
