"""The result of one piece of due work: sent (with the messages to queue) or skipped (with why)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from conversations.replies import Reply, preview
from conversations.texts import DEFAULT_LOCALE
from domain.messaging import outbox
from domain.models import Business


@dataclass(frozen=True)
class Outcome:
    status: str  # done | skipped
    outcome: str
    client_id: int | None = None
    messages: tuple[outbox.OutgoingMessage, ...] = field(default=())


def skipped(why: str) -> Outcome:
    return Outcome("skipped", why)


class Addressee(Protocol):
    """Whom a notice goes to: a client row, or the plain view a reminder batch reads."""

    id: int
    locale: str | None


def sent(client: Addressee, reply: Reply, what: str) -> Outcome:
    """Queue `reply` for the client: the delivery actor sends it with the rate limit and retries."""
    return Outcome("done", what, client.id, (outbox.OutgoingMessage(reply.kind, preview(reply), reply.payload()),))


def locale_of(business: Business, client: Addressee) -> str:
    return client.locale or business.locale or DEFAULT_LOCALE


def template_language(locale: str) -> str:
    """Meta's language code for an approved template ("pt_BR", "en")."""
    return locale.replace("-", "_")
