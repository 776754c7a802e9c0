"""Whether a message can reach a client now: as words inside WhatsApp's 24-hour window, else only as an approved
template the business has listed under the message's name in the client's language (conversations.team_notices)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.texts import DEFAULT_LOCALE
from domain.messaging import message_templates, outbox
from domain.models import Business, Client


@dataclass(frozen=True)
class Reach:
    client_id: int
    name: str  # the client's name or phone ("" when neither is known)
    template: str  # the approved template the message needs outside the window
    language: str  # Meta's code of the client's language ("pt_BR")
    inside_window: bool
    template_listed: bool  # not looked up inside the window

    @property
    def ok(self) -> bool:
        return self.inside_window or self.template_listed


async def reach(session: AsyncSession, business: Business, client: Client, now: datetime, message: str) -> Reach:
    """Whether `message` sent now reaches the client (an opt-out stops news, not what the team tells them)."""
    language = (client.locale or business.locale or DEFAULT_LOCALE).replace("-", "_")
    inside = outbox.inside_window(client.last_inbound_at, now)
    listed = not inside and await message_templates.is_listed(session, business.id, message, language)
    return Reach(client.id, client.profile_name or client.phone_e164 or "", message, language, inside, listed)
