"""What a turn of the conversation works with: the database session, the business, the client, the time."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.dates import when
from conversations.replies import Reply, Text
from conversations.state import State
from conversations.texts import say
from domain.models import Business, Client, WaitlistEntry


@dataclass
class Incoming:
    """What the client sent, reduced to what the engine needs."""

    kind: str  # text | interactive | button | location | image | audio | … | reaction | unknown
    text: str | None = None
    reply_id: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media_id: str | None = None  # an image's, video's or document's id at the Graph API
    referral: dict[str, Any] | None = None  # a click-to-WhatsApp ad's `referral`, on the first message it brings


@dataclass
class Ctx:
    session: AsyncSession
    business: Business
    client: Client
    now: datetime  # UTC
    state: State
    replies: list[Reply] = field(default_factory=list)
    handoff: bool = False
    offers: list[WaitlistEntry] = field(default_factory=list)  # freed class seats to announce
    # Where payment links point (PUBLIC_URL); None when the deployment does not take payments.
    public_url: str | None = None

    @property
    def locale(self) -> str:
        return self.state.locale or self.business.locale

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.business.timezone)

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def client_tz(self) -> ZoneInfo:
        """Where the client lives: their own zone when known, else the business's."""
        return ZoneInfo(self.client.timezone) if self.client.timezone else self.tz

    @property
    def client_today(self) -> date:
        return self.now.astimezone(self.client_tz).date()

    def t(self, message: str, **params: Any) -> str:
        return say(self.locale, message, **params)

    def say(self, message: str, **params: Any) -> None:
        """Queue a plain text reply."""
        self.replies.append(Text(self.t(message, **params)))

    def send(self, reply: Reply) -> None:
        self.replies.append(reply)

    def when(self, at: datetime) -> str:
        return when(at, self.business.timezone, self.locale)
