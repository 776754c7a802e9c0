"""Tokens this process has already looked up, kept while no token anywhere has been revoked since.

Every API request runs the rate limit's Redis script, which also reads back a stamp that each revocation
replaces with a new random value; a change drops every kept token, so a revoked token is refused from the
next request on, in every process, without a query for each request. Without Redis (the demo) or while it
is away nothing is kept: every request looks its token up.

Only the token's own row is kept (its business and scope, which never change). Whatever else may change
without a revocation is read on each request, or its change must call `tokens_changed` too.
"""
from __future__ import annotations

import secrets

from redis.asyncio import Redis

from domain.platform.api_tokens import TokenOwner

STAMP_KEY = "api:tokens:stamp"
MAX_KEPT = 10_000


class TokenCache:
    """Owners by the SHA-256 of their secret, valid under one stamp."""

    def __init__(self) -> None:
        self._owners: dict[str, TokenOwner] = {}
        self.stamp: str | None = None  # the stamp the kept owners were looked up under

    def get(self, digest: str) -> TokenOwner | None:
        return self._owners.get(digest)

    def observe(self, stamp: str | None) -> None:
        """The stamp Redis holds now (None: not known): a change drops every kept owner."""
        if stamp != self.stamp:
            self._owners.clear()
            self.stamp = stamp

    def keep(self, digest: str, owner: TokenOwner, looked_up_under: str | None) -> None:
        """Keep an owner read from the database, if no revocation can have come between (the stamp read before the
        look-up is still the one Redis holds)."""
        if looked_up_under is None or looked_up_under != self.stamp:
            return
        if len(self._owners) >= MAX_KEPT:
            self._owners.clear()
        self._owners[digest] = owner


async def tokens_changed(redis: Redis | None) -> None:
    """Tell every process a token was revoked (once the revocation is committed). Redis away raises: the
    revocation stands, and revoking again tells them."""
    if redis is not None:
        await redis.set(STAMP_KEY, secrets.token_hex(8))
