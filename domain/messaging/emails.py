"""The mails waiting to go out: queued in the transaction that decides them, claimed by one sender at a time,
sent, and recorded (or tried again later, with a growing pause, up to MAX_ATTEMPTS)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import OutgoingEmail

MAX_ATTEMPTS = 8
# A sender that has not recorded its claim's outcome by then died: the mail may be claimed again.
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(minutes=30)


@dataclass(frozen=True)
class TextAttachment:
    filename: str
    content_type: str
    content: str


@dataclass(frozen=True)
class EmailDraft:
    to: str
    subject: str
    body: str
    kind: str
    attachments: tuple[TextAttachment, ...] = field(default_factory=tuple)


def backoff(attempts: int) -> timedelta:
    """The pause before the next try after `attempts` failures: 30 s, 1 min, 2 min, … up to 30 min."""
    return min(timedelta(seconds=30 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


async def queue(session: AsyncSession, business_id: int | None, draft: EmailDraft, now: datetime) -> OutgoingEmail:
    row = OutgoingEmail(business_id=business_id, kind=draft.kind, to_address=draft.to, subject=draft.subject[:300],
                        body=draft.body, attachments=[{"filename": a.filename, "content_type": a.content_type,
                                                       "content": a.content} for a in draft.attachments],
                        status="queued", attempts=0, next_attempt_at=now, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def claim_due(session: AsyncSession, now: datetime, limit: int) -> list[OutgoingEmail]:
    """Mails due now (and those a dead sender left), leased to the caller: no other sender takes them meanwhile."""
    due = (select(OutgoingEmail.id)
           .where(OutgoingEmail.status.in_(("queued", "sending")), OutgoingEmail.next_attempt_at <= now)
           .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id).limit(limit)
           .with_for_update(skip_locked=True))
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    await session.execute(update(OutgoingEmail).where(OutgoingEmail.id.in_(ids))
                          .values(status="sending", next_attempt_at=now + LEASE))
    rows = await session.scalars(select(OutgoingEmail).where(OutgoingEmail.id.in_(ids)).order_by(OutgoingEmail.id)
                                 .execution_options(populate_existing=True))
    return list(rows.all())


async def mark_sent(session: AsyncSession, email_id: int, now: datetime, *, keep_copy: bool) -> None:
    """Sent: a real send forgets the words (a reset link, a client's booking); the demo keeps them to show."""
    values: dict[str, object] = {"status": "sent", "sent_at": now, "attempts": OutgoingEmail.attempts + 1, "last_error": None}
    if not keep_copy:
        values.update(body="", attachments=[])
    await session.execute(update(OutgoingEmail).where(OutgoingEmail.id == email_id).values(**values))


async def mark_failed(session: AsyncSession, email_id: int, now: datetime, error: str) -> datetime | None:
    """Not sent: tried again after a pause (when it is), else given up. The next try's time, or None."""
    row = await session.get(OutgoingEmail, email_id)
    if row is None:
        return None
    row.attempts += 1
    row.last_error = error[:300]
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        return None
    row.status, row.next_attempt_at = "queued", now + backoff(row.attempts)
    return row.next_attempt_at


async def next_due(session: AsyncSession) -> datetime | None:
    """When the next mail waiting (or leased) is due, if any."""
    return await session.scalar(select(func.min(OutgoingEmail.next_attempt_at))
                                .where(OutgoingEmail.status.in_(("queued", "sending"))))


async def sent_lately(session: AsyncSession, limit: int = 100, to: str | None = None) -> list[OutgoingEmail]:
    """The latest mails, newest first (the demo's page): those sent, waiting and given up."""
    stmt = select(OutgoingEmail).order_by(OutgoingEmail.id.desc()).limit(limit)
    if to:
        stmt = stmt.where(or_(OutgoingEmail.to_address == to.strip().lower(), OutgoingEmail.to_address == to.strip()))
    return list((await session.scalars(stmt)).all())


async def waiting_since(session: AsyncSession, before: datetime) -> bool:
    """Whether a mail has been due since `before` (its wake-up was lost, or its sender died)."""
    return await session.scalar(select(OutgoingEmail.id).where(OutgoingEmail.status.in_(("queued", "sending")),
                                                                OutgoingEmail.next_attempt_at <= before).limit(1)) is not None
