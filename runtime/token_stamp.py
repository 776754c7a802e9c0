"""The stamp API processes keep their looked-up tokens under (api.token_cache): any change to what a kept token
stands for (a revocation, the studio's plan) replaces it, and every process drops what it kept."""
from __future__ import annotations

import secrets

from redis.asyncio import Redis

STAMP_KEY = "api:tokens:stamp"


async def tokens_changed(redis: Redis | None) -> None:
    """Tell every API process to look its tokens up again (once the change is committed). Redis away raises: the
    change stands, and making it again tells them."""
    if redis is not None:
        await redis.set(STAMP_KEY, secrets.token_hex(8))
