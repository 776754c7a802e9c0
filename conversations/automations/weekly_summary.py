"""Sunday evening's weekly summary to a client who accepted news: training days, volume, records, streak."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, locale_of, sent, skipped, template_language
from conversations.quantities import number
from conversations.replies import Reply, Template, Text
from conversations.texts import say
from domain.automation.due_work import DueRow
from domain.errors import NotFound
from domain.messaging import outbox
from domain.models import Business, Client
from domain.scheduling.catalog import get_scoped
from domain.training import workouts
from domain.training.activity import training_days, weekly_streak

WEEKLY_TEMPLATE = "weekly_summary"


async def weekly_summary(session: AsyncSession, business: Business, row: DueRow, now: datetime) -> Outcome:
    try:
        client = await get_scoped(session, Client, business.id, row.subject_id)
    except NotFound:
        return skipped("client gone")
    if not client.marketing_consent or client.opted_out or client.erased_at or client.deactivated_at:
        return skipped("no consent")
    tz = ZoneInfo(client.timezone or business.timezone)
    sunday = row.target_at.astimezone(ZoneInfo(business.timezone)).date()
    monday = sunday - timedelta(days=6)
    days = (await training_days(session, business.id, [client.id], sunday - timedelta(days=7 * 52), sunday, tz))[client.id]
    week = sum(1 for d in days if monday <= d <= sunday)
    if not week:
        return skipped("no training this week")
    volume = (await workouts.weekly_counts(session, client.id, monday, 1))[0][2]
    records = await workouts.records_between(session, client.id, monday, sunday, tz)
    streak = weekly_streak(days, sunday, business.streak_days_per_week)
    locale, name = locale_of(business, client), (client.profile_name or "").split(" ")[0]
    reply: Reply
    if outbox.inside_window(client.last_inbound_at, now):
        reply = Text(say(locale, "weekly_summary", name=name, sessions=week, volume=number(volume, locale) if volume else None,
                         records=records, streak=streak, per_week=business.streak_days_per_week))
    else:  # outside the 24-hour window only an approved template may reach the client
        reply = Template(WEEKLY_TEMPLATE, template_language(locale), (name or "-", str(week), str(records), str(streak)))
    return sent(client, reply, "weekly summary")
