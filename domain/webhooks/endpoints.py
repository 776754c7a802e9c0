"""A business's webhook endpoints: the URL, the events it wants, and its signing secret (sealed under SECRET_KEY)."""
from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.messaging.secret_box import seal, unseal
from domain.models import WebhookEndpoint

EVENTS = ("booking.created", "booking.moved", "booking.cancelled", "checkin.created", "payment.succeeded",
          "client.at_risk")
MAX_URL = 500
SECRET_PREFIX = "whsec_"


# A host name and port to the addresses it resolves to now: handed in by the caller (domain/ does no network I/O).
Resolve = Callable[[str, int], Awaitable[Sequence[str]]]


class BadWebhookUrl(DomainError):
    """The URL cannot receive webhooks: `reason` says why (not_url | not_https | local_address | unresolvable | too_long)."""

    code = "bad_webhook_url"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownEvent(DomainError):
    code = "unknown_event"


def check_url(url: str, *, allow_http: bool) -> str:
    """The URL as stored, or BadWebhookUrl: https with a host (plain http only in the demo), no credentials in it,
    never a loopback, private or link-local address written as an IP (outside the demo)."""
    url = url.strip()
    if len(url) > MAX_URL:
        raise BadWebhookUrl("too_long")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a malformed port raises here
    except ValueError:
        raise BadWebhookUrl("not_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password or " " in url:
        raise BadWebhookUrl("not_url")
    if parts.scheme != "https" and not allow_http:
        raise BadWebhookUrl("not_https")
    if not allow_http and _local(parts.hostname):
        raise BadWebhookUrl("local_address")
    return url


def _local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not public_address(host)


def public_address(address: str) -> bool:
    """Whether an IP address is on the public internet: not private, loopback, link-local, shared (CGNAT), reserved,
    multicast or unspecified, nor an IPv4 one of those wrapped in IPv6 (mapped or 6to4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    wrapped = (ip.ipv4_mapped or ip.sixtofour) if isinstance(ip, ipaddress.IPv6Address) else None
    if wrapped is not None:
        return public_address(str(wrapped))
    return ip.is_global and not ip.is_multicast


async def check_reachable(url: str, resolve: Resolve, *, allow_local: bool) -> None:
    """BadWebhookUrl unless every address the URL's host resolves to now is public (the demo allows any): checked
    when an endpoint is saved; the sender checks again at each connection, since DNS answers change."""
    if allow_local:
        return
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        addresses = list(await resolve(host, parts.port or (443 if parts.scheme == "https" else 80)))
    except OSError:
        raise BadWebhookUrl("unresolvable") from None
    if not addresses:
        raise BadWebhookUrl("unresolvable")
    if not all(public_address(a) for a in addresses):
        raise BadWebhookUrl("local_address")


def _events(events: Sequence[str]) -> list[str]:
    unknown = set(events) - set(EVENTS)
    if unknown:
        raise UnknownEvent(", ".join(sorted(unknown)))
    return [e for e in EVENTS if e in events]


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(24)


async def create(session: AsyncSession, business_id: int, url: str, events: Sequence[str], now: datetime, *,
                 secret_key: str, allow_http: bool = False) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its secret in clear (shown once, then only sealed)."""
    secret = new_secret()
    endpoint = WebhookEndpoint(business_id=business_id, url=check_url(url, allow_http=allow_http), events=_events(events),
                               secret_sealed=seal(secret_key, secret), active=True, created_at=now, updated_at=now)
    session.add(endpoint)
    await session.flush()
    return endpoint, secret


async def get(session: AsyncSession, business_id: int, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    """The business's endpoint; another business's id (or none) is NotFound."""
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.business_id == business_id)
    if lock:
        stmt = stmt.with_for_update()
    endpoint = (await session.execute(stmt)).scalar_one_or_none()
    if endpoint is None:
        raise NotFound(f"webhook endpoint {endpoint_id} not found")
    return endpoint


async def of_business(session: AsyncSession, business_id: int) -> list[WebhookEndpoint]:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.business_id == business_id).order_by(WebhookEndpoint.id)
    return list((await session.execute(stmt)).scalars().all())


async def update(session: AsyncSession, business_id: int, endpoint_id: int, url: str, events: Sequence[str], now: datetime, *,
                 allow_http: bool = False) -> WebhookEndpoint:
    endpoint = await get(session, business_id, endpoint_id, lock=True)
    endpoint.url, endpoint.events = check_url(url, allow_http=allow_http), _events(events)
    endpoint.updated_at = now
    await session.flush()
    return endpoint


async def set_active(session: AsyncSession, business_id: int, endpoint_id: int, active: bool, now: datetime) -> WebhookEndpoint:
    """Deactivate (no new deliveries; those pending are still tried) or bring back an endpoint."""
    endpoint = await get(session, business_id, endpoint_id, lock=True)
    endpoint.active, endpoint.updated_at = active, now
    await session.flush()
    return endpoint


async def roll_secret(session: AsyncSession, business_id: int, endpoint_id: int, now: datetime, *,
                      secret_key: str) -> tuple[WebhookEndpoint, str]:
    """A new secret at once (the old one stops signing); returned in clear to be shown once."""
    endpoint = await get(session, business_id, endpoint_id, lock=True)
    secret = new_secret()
    endpoint.secret_sealed, endpoint.updated_at = seal(secret_key, secret), now
    await session.flush()
    return endpoint, secret


def secret_of(endpoint: WebhookEndpoint, secret_key: str) -> str | None:
    """The endpoint's secret to sign with; None when it was sealed under another SECRET_KEY (roll it)."""
    return unseal_secret(endpoint.secret_sealed, secret_key)


def unseal_secret(sealed: str, secret_key: str) -> str | None:
    return unseal(secret_key, sealed)
