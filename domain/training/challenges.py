"""Studio challenges: who joined, how far each got, and the leaderboard of those who opted in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Challenge, ChallengeEntry, Client
from domain.training.activity import training_days


@dataclass(frozen=True)
class Standing:
    client_id: int
    first_name: str
    days: int
    on_leaderboard: bool


async def open_challenges(session: AsyncSession, business_id: int, today: date) -> list[Challenge]:
    """Challenges running today or starting later, soonest first."""
    rows = await session.scalars(select(Challenge).where(Challenge.business_id == business_id, Challenge.ends_on >= today)
                                 .order_by(Challenge.starts_on, Challenge.id))
    return list(rows)


async def entry(session: AsyncSession, challenge_id: int, client_id: int) -> ChallengeEntry | None:
    return await session.get(ChallengeEntry, (challenge_id, client_id))


async def join(session: AsyncSession, business_id: int, challenge_id: int, client_id: int, on_leaderboard: bool,
               now: datetime) -> ChallengeEntry:
    """Join (or change whether one shows on the leaderboard); a challenge of another business is not found."""
    await get_challenge(session, business_id, challenge_id)
    found = await entry(session, challenge_id, client_id)
    if found is None:
        found = ChallengeEntry(challenge_id=challenge_id, client_id=client_id, business_id=business_id,
                               on_leaderboard=on_leaderboard, joined_at=now)
        session.add(found)
    else:
        found.on_leaderboard = on_leaderboard
    await session.flush()
    return found


async def standings(session: AsyncSession, challenge: Challenge, tz: ZoneInfo) -> list[Standing]:
    """Every entrant's training days in the challenge's dates, most first (ties by first name)."""
    rows = (await session.execute(
        select(ChallengeEntry, Client.profile_name).join(Client, Client.id == ChallengeEntry.client_id)
        .where(ChallengeEntry.challenge_id == challenge.id))).all()
    days = await training_days(session, challenge.business_id, [e.client_id for e, _ in rows],
                               challenge.starts_on, challenge.ends_on, tz)
    out = [Standing(e.client_id, first_name(name), len(days[e.client_id]), e.on_leaderboard) for e, name in rows]
    return sorted(out, key=lambda s: (-s.days, s.first_name.lower()))


def first_name(name: str | None) -> str:
    return (name or "").split()[0] if (name or "").split() else "—"


async def get_challenge(session: AsyncSession, business_id: int, challenge_id: int) -> Challenge:
    """The business's challenge; another business's id (or none) is NotFound."""
    challenge = await session.get(Challenge, challenge_id)
    if challenge is None or challenge.business_id != business_id:
        raise NotFound(f"challenge {challenge_id} not found")
    return challenge
