"""The challenges pages: every challenge with its entrants, and one challenge's full leaderboard for staff."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Challenge, ChallengeEntry, Client
from domain.training.challenges import get_challenge, open_challenges, standings

PAST_LIMIT = 50


@dataclass(frozen=True)
class ChallengeRow:
    challenge: Challenge
    entrants: int
    state: str  # upcoming | running | ended


@dataclass(frozen=True)
class ChallengeList:
    current: list[ChallengeRow]  # running or upcoming, soonest first
    past: list[ChallengeRow]  # ended, latest first


@dataclass(frozen=True)
class Leader:
    rank: int
    client_id: int
    name: str
    days: int
    done: bool
    on_leaderboard: bool


@dataclass(frozen=True)
class Leaderboard:
    challenge: Challenge
    state: str
    leaders: list[Leader]

    @property
    def public(self) -> int:
        return sum(1 for leader in self.leaders if leader.on_leaderboard)


def state_of(challenge: Challenge, today: date) -> str:
    if today < challenge.starts_on:
        return "upcoming"
    return "running" if today <= challenge.ends_on else "ended"


async def list_challenges(session: AsyncSession, business_id: int, today: date) -> ChallengeList:
    current = await open_challenges(session, business_id, today)
    past = list(await session.scalars(
        select(Challenge).where(Challenge.business_id == business_id, Challenge.ends_on < today)
        .order_by(Challenge.ends_on.desc(), Challenge.id.desc()).limit(PAST_LIMIT)))
    ids = [c.id for c in current + past]
    counts: dict[int, int] = {}
    if ids:
        counts = dict((await session.execute(
            select(ChallengeEntry.challenge_id, func.count()).where(
                ChallengeEntry.business_id == business_id, ChallengeEntry.challenge_id.in_(ids))
            .group_by(ChallengeEntry.challenge_id))).all())
    row = lambda c: ChallengeRow(c, counts.get(c.id, 0), state_of(c, today))  # noqa: E731
    return ChallengeList([row(c) for c in current], [row(c) for c in past])


async def leaderboard(session: AsyncSession, business_id: int, challenge_id: int, today: date,
                      tz: ZoneInfo) -> Leaderboard:
    """Every entrant, most training days first, by full name; NotFound for another business's challenge."""
    challenge = await get_challenge(session, business_id, challenge_id)
    ranked = await standings(session, challenge, tz)
    names: dict[int, str | None] = {}
    if ranked:
        names = dict((await session.execute(
            select(Client.id, Client.profile_name).where(
                Client.business_id == business_id, Client.id.in_([s.client_id for s in ranked])))).all())
    leaders: list[Leader] = []
    for position, standing in enumerate(ranked, start=1):
        tied = bool(leaders) and leaders[-1].days == standing.days
        leaders.append(Leader(leaders[-1].rank if tied else position, standing.client_id,
                              names.get(standing.client_id) or "—", standing.days,
                              standing.days >= challenge.target, standing.on_leaderboard))
    return Leaderboard(challenge, state_of(challenge, today), leaders)
