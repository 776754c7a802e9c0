"""Planning Sunday evening's weekly training summary: a due row for each client who accepted news and
trained that week, at 19:00 in the business's time zone."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation.scheduled_work import insert_rows
from domain.models import Business, CheckIn, Client, ScheduledMessage, WorkoutSession
from domain.scheduling.schedule_times import local_at

WEEKLY = "weekly_summary"
SEND_AT_MIN = 19 * 60
SUNDAY = 6
PLAN_UNTIL_MIN = 22 * 60  # after that the evening is over: a scheduler back late sends nothing this week


async def plan_weekly_summaries(session: AsyncSession, now: datetime) -> None:
    """On Sunday evenings, one row per client and week (idempotent: offset_min holds the Sunday as yyyymmdd)."""
    for business_id, tz in (await session.execute(select(Business.id, Business.timezone))).all():
        local = now.astimezone(ZoneInfo(tz))
        minute = local.hour * 60 + local.minute
        if local.weekday() != SUNDAY or not SEND_AT_MIN - 60 <= minute < PLAN_UNTIL_MIN:
            continue
        sunday = local.date()
        tag = int(f"{sunday:%Y%m%d}")
        if await session.scalar(select(exists().where(ScheduledMessage.business_id == business_id,
                                                      ScheduledMessage.kind == WEEKLY, ScheduledMessage.offset_min == tag))):
            continue
        monday = sunday - timedelta(days=6)
        since = local_at(monday, 0, tz)
        trained = or_(
            exists().where(WorkoutSession.client_id == Client.id, WorkoutSession.local_date.between(monday, sunday)),
            exists().where(CheckIn.client_id == Client.id, CheckIn.checked_in_at >= since))
        clients = await session.scalars(select(Client.id).where(
            Client.business_id == business_id, Client.marketing_consent.is_(True), Client.opted_out.is_(False),
            Client.erased_at.is_(None), Client.deactivated_at.is_(None), trained))
        due = local_at(sunday, SEND_AT_MIN, tz)
        await insert_rows(session, [{"business_id": business_id, "kind": WEEKLY, "subject_id": client_id, "offset_min": tag,
                                     "target_at": local_at(sunday, 0, tz), "due_at": due, "status": "pending",
                                     "created_at": now, "updated_at": now} for client_id in clients])
