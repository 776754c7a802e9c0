"""Dunning: a membership whose card failed is reminded on days 0, 3 and 7, with the link that updates the
card, until an invoice is paid (its rows are cancelled then, and checked again here)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.automations.outcome import Outcome, locale_of, sent, skipped, template_language
from conversations.replies import Reply, Template, Text
from conversations.texts import say
from domain.automation.due_work import DueRow
from domain.messaging import outbox
from domain.models import Business
from domain.payments import subscriptions

DUNNING_TEMPLATE = "membership_payment_failed"


async def dunning(session: AsyncSession, business: Business, row: DueRow, now: datetime, public_url: str) -> Outcome:
    found = await subscriptions.dunning_subject(session, business.id, row.subject_id)
    if found is None:
        return skipped("membership gone")
    plan, client, purchase_token = found
    if plan.status != "past_due":
        return skipped("paid")
    if client.erased_at is not None or purchase_token is None:
        return skipped("client erased" if client.erased_at else "not bought in the chat")
    locale = locale_of(business, client)
    link = f"{public_url}/pay/{purchase_token}/card"
    day = row.offset_min // (24 * 60)
    reply: Reply
    if outbox.inside_window(client.last_inbound_at, now):
        reply = Text(say(locale, "membership_payment_failed", plan=plan.plan_name, link=link, day=day))
    else:  # outside the 24-hour window only an approved template may reach the client
        reply = Template(DUNNING_TEMPLATE, template_language(locale), (plan.plan_name, link))
    return sent(client, reply, f"dunning day {day}")
