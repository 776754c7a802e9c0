"""A win-back campaign's message to one treated member: the text (with a button that books) inside the
24-hour window, the campaign's approved template outside it; nothing to those who must not get it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, locale_of, sent, skipped
from conversations.replies import Button, Buttons, Reply, Template, Text
from conversations.texts import say
from domain.automation.due_work import DueRow
from domain.messaging import outbox
from domain.models import Business, Client
from domain.retention.campaign_sends import mark_sent, mark_skipped, member_send
from domain.retention.campaigns import render

BOOK = "menu:book"


async def campaign_message(session: AsyncSession, business: Business, row: DueRow, now: datetime) -> Outcome:
    found = await member_send(session, business.id, row.subject_id)
    if found is None:
        return skipped("campaign member gone")
    member, campaign, client = found.member, found.campaign, found.client
    why = _why_not(client, found.handoff, campaign.status, member.arm)
    if why is None and not outbox.inside_window(client.last_inbound_at, now) and not campaign.template_name:
        why = "outside the 24-hour window, no template"
    if why is not None:
        mark_skipped(member, why)
        return skipped(why)
    first_name = (client.profile_name or "").split(" ")[0]
    reply: Reply
    if outbox.inside_window(client.last_inbound_at, now):
        body = render(campaign.message, {"first_name": first_name, "business": business.name})
        reply = (Buttons(body, (Button(BOOK, say(locale_of(business, client), "campaign_book_button")),)) if campaign.book_button
                 else Text(body))
    else:  # outside the 24-hour window only an approved template may reach the client
        assert campaign.template_name is not None and campaign.template_language is not None
        reply = Template(campaign.template_name, campaign.template_language, (first_name or "-", business.name),
                         (BOOK,) if campaign.book_button else ())
    mark_sent(member, now)
    return sent(client, reply, f"campaign {campaign.id}")


def _why_not(client: Client, handoff: bool, status: str, arm: str) -> str | None:
    """What changed since the start that rules this send out (the start already left such clients out)."""
    if status != "running":
        return "campaign finished"
    if arm != "treated":
        return "holdout"
    if client.erased_at is not None or client.deactivated_at is not None:
        return "erased"
    if client.opted_out:
        return "opted out"
    if handoff:
        return "in a human conversation"
    return None
