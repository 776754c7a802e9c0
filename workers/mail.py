"""The `mail` actor: the queued mails go out through the runtime's mailer; a refusal is tried again later."""
from __future__ import annotations

import logging

from domain.messaging import emails
from domain.models import OutgoingEmail
from gateways.mail import Attachment, Mail, MailError
from runtime.resources import Runtime

log = logging.getLogger(__name__)
BATCH = 50


async def send_emails(rt: Runtime) -> int:
    """Send the mails due now; wake again for the soonest retry. How many went out."""
    if rt.mailer is None:
        return 0
    async with rt.sessions.begin() as session:
        due = await emails.claim_due(session, rt.clock.now(), BATCH)
    sent = 0
    for row in due:
        try:
            await rt.mailer.send(as_mail(row))
        except MailError as error:
            log.warning("mail %s (%s) not sent, attempt %s: %s", row.id, row.kind, row.attempts + 1, error)
            async with rt.sessions.begin() as session:
                await emails.mark_failed(session, row.id, rt.clock.now(), str(error))
            continue
        async with rt.sessions.begin() as session:
            await emails.mark_sent(session, row.id, rt.clock.now(), keep_copy=rt.mailer.keeps_copies)
        sent += 1
    async with rt.sessions() as session:
        soonest = await emails.next_due(session)
    if soonest is not None and len(due) == BATCH:
        await rt.wake.mail()
    elif soonest is not None and due:
        await rt.wake.mail(delay_ms=max(int((soonest - rt.clock.now()).total_seconds() * 1000), 0))
    return sent


def as_mail(row: OutgoingEmail) -> Mail:
    return Mail(row.to_address, row.subject, row.body,
                tuple(Attachment(a["filename"], a["content_type"], str(a["content"]).encode()) for a in row.attachments))
