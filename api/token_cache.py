"""Tokens this process has already looked up, kept while no token anywhere has been revoked since.

Every API request runs the rate limit's Redis script, which also reads back a stamp that each revocation
replaces with a new random value; a change drops every kept token, so a revoked token is refused from the
next request on, in every process, without a query for each request. Without Redis (the demo) or while it
is away nothing is kept: every request looks its token up.

Kept with the token's row: its business and scope, which never change, and its business's plan, whose every
change calls `runtime.token_stamp.tokens_changed` as a revocation does.
"""
from __future__ import annotations

from domain.platform.api_tokens import TokenOwner

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
