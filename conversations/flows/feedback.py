"""The answer to the after-session follow-up: a 1–5 tapped in its list or typed as a bare number."""
from __future__ import annotations

from conversations.context import Ctx
from domain.automation import feedback
from domain.errors import NotFound

RATINGS = frozenset({"1", "2", "3", "4", "5"})


async def typed(ctx: Ctx, words: str) -> bool:
    """A bare "1".."5" right after a follow-up is its rating (otherwise it stays a menu number)."""
    if words not in RATINGS or ctx.state.flow is not None:
        return False
    booking_id = await feedback.awaiting_rating(ctx.session, ctx.business.id, ctx.client.id, ctx.now)
    if booking_id is None:
        return False
    await rated(ctx, booking_id, int(words))
    return True


async def rated(ctx: Ctx, booking_id: int, rating: int) -> None:
    """Store the rating (tapped: rate:<booking>:<n>) and thank the client."""
    try:
        await feedback.record_rating(ctx.session, ctx.business.id, ctx.client.id, booking_id, rating, ctx.now)
    except (NotFound, ValueError):
        ctx.say("nothing_pending")
        return
    ctx.say("feedback_thanks", rating=rating)
