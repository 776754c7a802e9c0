"""The trainer's daily digest, sent to their own WhatsApp: today's sessions, handoffs, yesterday's no-shows."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, locale_of, sent, skipped, template_language
from conversations.dates import clock_time, day_label
from conversations.email_texts import trainer_digest
from conversations.replies import Reply, Template, Text
from conversations.texts import DEFAULT_LOCALE, say
from domain.automation import digest_data
from domain.automation.due_work import DueRow
from domain.errors import NotFound
from domain.messaging import emails, outbox
from domain.models import Business, Staff
from domain.scheduling.catalog import get_scoped

DIGEST_TEMPLATE = "trainer_daily_digest"


async def digest(session: AsyncSession, business: Business, row: DueRow, now: datetime, mail: bool = False) -> Outcome:
    """Gather the day (row.target_at is the local midnight) and queue the summary for the trainer: to their email when
    they prefer it and `mail` (email is set up), else to their WhatsApp."""
    try:
        staff = await get_scoped(session, Staff, business.id, row.subject_id)
    except NotFound:  # the trainer was removed since the digest was planned
        return skipped("digest turned off")
    if not staff.active or staff.digest_at_min is None:
        return skipped("digest turned off")
    if mail and staff.digest_channel == "email" and staff.email:
        return await _by_email(session, business, staff, row, now)
    contact = await digest_data.trainer_contact(session, staff, now)
    if contact is None:
        return skipped("trainer has no WhatsApp")
    data = await digest_data.gather(session, staff, row.target_at)
    locale, tz = locale_of(business, contact), business.timezone
    day = day_label((row.target_at + timedelta(hours=12)).astimezone(ZoneInfo(tz)).date(), locale)
    reply: Reply
    if outbox.inside_window(contact.last_inbound_at, now):
        lines = [say(locale, "digest_line", time=clock_time(s.starts_at, tz), service=s.service, clients=", ".join(s.clients))
                 for s in data.sessions]
        no_shows = [f"{clock_time(at, tz)} {name}" for at, name in data.no_shows]
        reply = Text(say(locale, "digest", day=day, sessions=lines, handoffs=data.handoffs, no_shows=no_shows))
    else:  # template parameters may not hold line breaks: the counts and the first session
        first = clock_time(data.sessions[0].starts_at, tz) if data.sessions else "-"
        reply = Template(DIGEST_TEMPLATE, template_language(locale),
                         (day, str(len(data.sessions)), first, str(len(data.handoffs)), str(len(data.no_shows))))
    return sent(contact, reply, "digest")


async def _by_email(session: AsyncSession, business: Business, staff: Staff, row: DueRow, now: datetime) -> Outcome:
    assert staff.email is not None
    data = await digest_data.gather(session, staff, row.target_at)
    locale, tz = business.locale or DEFAULT_LOCALE, business.timezone
    day = day_label((row.target_at + timedelta(hours=12)).astimezone(ZoneInfo(tz)).date(), locale)
    lines = [say(locale, "digest_line", time=clock_time(s.starts_at, tz), service=s.service, clients=", ".join(s.clients))
             for s in data.sessions]
    no_shows = [f"{clock_time(at, tz)} {name}" for at, name in data.no_shows]
    text = say(locale, "digest", day=day, sessions=lines, handoffs=data.handoffs, no_shows=no_shows)
    await emails.queue(session, business.id, trainer_digest(staff.email, business.name, day, text, locale), now)
    return Outcome("done", "digest by email")
