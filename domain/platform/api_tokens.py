"""Per-business API tokens: made in the panel (the secret shown once), kept as a SHA-256, scoped read or write."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.models import ApiToken, Business
from domain.platform import plans
from domain.sql.direct import fetch_one

SCOPES = ("read", "write")
TOKEN_PREFIX = "fzk_"
PREFIX_CHARS = 12  # "fzk_" and 8 characters of the secret: enough to tell tokens apart, nothing to guess with
# last_used_at is written at most this often per token: a request does not pay for a write each time.
LAST_USED_EVERY = timedelta(minutes=1)


class ApiTokenError(DomainError):
    code = "api_token_error"


@dataclass(frozen=True)
class NewToken:
    """A token just made: `secret` is the only time its whole value exists outside the client's hands."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class TokenOwner:
    """Who a presented token belongs to, as the API needs it on every request."""

    token_id: int
    business_id: int
    scope: str
    last_used_at: datetime | None
    plan: str  # the business's FitZap plan: whether it has the API at all


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_token(session: AsyncSession, business_id: int, name: str, scope: str, now: datetime) -> NewToken:
    """A new token for the business; its secret is returned once and only its hash is stored."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ApiTokenError("Give the token a name of 1 to 120 characters.")
    if scope not in SCOPES:
        raise ApiTokenError("The scope must be read or write.")
    business = await session.get(Business, business_id)
    assert business is not None
    plans.check_api(business.plan)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(business_id=business_id, name=name, prefix=secret[:PREFIX_CHARS], token_hash=hash_secret(secret),
                     scope=scope, created_at=now)
    session.add(token)
    await session.flush()
    return NewToken(token, secret)


async def tokens_of(session: AsyncSession, business_id: int) -> list[ApiToken]:
    """The business's tokens, live ones first, newest first."""
    stmt = (select(ApiToken).where(ApiToken.business_id == business_id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()))
    return list((await session.execute(stmt)).scalars().all())


async def revoke(session: AsyncSession, business_id: int, token_id: int, now: datetime) -> ApiToken:
    """Revoke the token (at once: the next request with it gets 401); revoking twice keeps the first time."""
    token = await session.get(ApiToken, token_id)
    if token is None or token.business_id != business_id:
        raise NotFound(f"api token {token_id} not found")
    if token.revoked_at is None:
        token.revoked_at = now
    await session.flush()
    return token


# Read on every API request, so straight on the driver (domain.sql.direct); a revocation counts from the next request.
_OWNER = select(ApiToken.id, ApiToken.business_id, ApiToken.scope, ApiToken.last_used_at, Business.plan).join(
    Business, Business.id == ApiToken.business_id).where(ApiToken.token_hash == bindparam("token_hash"),
                                                          ApiToken.revoked_at.is_(None))


async def owner_of_digest(session: AsyncSession, digest: str) -> TokenOwner | None:
    """The live token whose secret has this SHA-256 (hash_secret), or None."""
    row = await fetch_one(session, _OWNER, {"token_hash": digest})
    return None if row is None else TokenOwner(row[0], row[1], row[2], row[3], row[4])


def needs_touch(owner: TokenOwner, now: datetime) -> bool:
    return owner.last_used_at is None or now - owner.last_used_at >= LAST_USED_EVERY


async def touch(session: AsyncSession, token_id: int, now: datetime) -> None:
    """Record a use (callers do it at most once per LAST_USED_EVERY)."""
    await session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
