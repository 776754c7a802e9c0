"""Studio challenges as the panel edits them: create, change and delete, always within one business."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Challenge
from domain.training.challenges import get_challenge

NAME_MAX = 120
TARGET_MAX = 366


class InvalidChallenge(DomainError):
    """A challenge without a name, with a target below one day, or ending before it starts."""

    code = "invalid_challenge"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _checked(name: str, target: int, starts_on: date, ends_on: date) -> str:
    name = name.strip()
    if not name:
        raise InvalidChallenge("name", "Give the challenge a name.")
    if len(name) > NAME_MAX:
        raise InvalidChallenge("name", f"Use at most {NAME_MAX} characters.")
    if not 1 <= target <= TARGET_MAX:
        raise InvalidChallenge("target", f"The target is from 1 to {TARGET_MAX} training days.")
    if ends_on < starts_on:
        raise InvalidChallenge("ends_on", "The challenge cannot end before it starts.")
    return name


async def create_challenge(session: AsyncSession, business_id: int, *, name: str, target: int, starts_on: date,
                           ends_on: date, now: datetime) -> Challenge:
    challenge = Challenge(business_id=business_id, name=_checked(name, target, starts_on, ends_on), target=target,
                          starts_on=starts_on, ends_on=ends_on, created_at=now)
    session.add(challenge)
    await session.flush()
    return challenge


async def edit_challenge(session: AsyncSession, business_id: int, challenge_id: int, *, name: str, target: int,
                         starts_on: date, ends_on: date) -> Challenge:
    challenge = await get_challenge(session, business_id, challenge_id)
    challenge.name = _checked(name, target, starts_on, ends_on)
    challenge.target, challenge.starts_on, challenge.ends_on = target, starts_on, ends_on
    await session.flush()
    return challenge


async def delete_challenge(session: AsyncSession, business_id: int, challenge_id: int) -> str:
    """Delete the challenge and its entries; returns its name."""
    challenge = await get_challenge(session, business_id, challenge_id)
    await session.delete(challenge)
    await session.flush()
    return challenge.name
