"""Panel password resets: a single-use, time-limited token per request; only its SHA-256 is stored.

Asking reveals nothing (the caller answers the same whether the email has a login); using the token sets the
password once, ends every session of the user and retires their other outstanding links."""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import AdminUser, Business, PasswordReset
from domain.people import login_throttle
from domain.people.admin_users import MIN_PASSWORD_CHARS, end_sessions, hash_password, normalise_email

VALID_FOR = timedelta(hours=1)
MAX_PASSWORD_CHARS = 1024
# Reset requests per account and per address in login_throttle.WINDOW; token tries per address.
MAX_REQUESTS_PER_ACCOUNT = 3
MAX_REQUESTS_PER_IP = 20
MAX_TOKEN_TRIES_PER_IP = 20


class ResetRefused(DomainError):
    """The link is unknown, already used or expired; one message, so nobody learns which."""

    code = "reset_refused"


class ResetThrottled(DomainError):
    code = "reset_throttled"


class WeakPassword(DomainError):
    code = "weak_password"


@dataclass(frozen=True)
class ResetAsked:
    """A reset made for an active login: the token to mail (never stored) and whom to mail it to."""

    token: str
    email: str
    name: str
    business: str
    locale: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def take_request(session: AsyncSession, email: str, ip: str, now: datetime) -> None:
    """Count a reset request for this email and address; ResetThrottled (the transaction then rolls back, counting
    neither) when either asked too often in login_throttle.WINDOW, whether or not the email has a login."""
    email = normalise_email(email)
    for key, limit in ((f"reset:email:{email}", MAX_REQUESTS_PER_ACCOUNT), (f"reset:ip:{ip}", MAX_REQUESTS_PER_IP)):
        if not await login_throttle.take_attempt(session, key, limit, now):
            raise ResetThrottled("Too many requests. Try again in a few minutes.")


async def take_token_try(session: AsyncSession, ip: str, now: datetime) -> None:
    """Count a try of a reset link from this address; ResetThrottled when it tried too many lately."""
    if not await login_throttle.take_attempt(session, f"reset-token:ip:{ip}", MAX_TOKEN_TRIES_PER_IP, now):
        raise ResetThrottled("Too many attempts. Try again in a few minutes.")


async def ask(session: AsyncSession, email: str, now: datetime) -> ResetAsked | None:
    """A new reset link for the active login with this email (its older links retired); None when there is none."""
    row = (await session.execute(
        select(AdminUser, Business.name, Business.locale).join(Business, Business.id == AdminUser.business_id)
        .where(AdminUser.email == normalise_email(email), AdminUser.active.is_(True))
    )).first()
    if row is None:
        return None
    user, business_name, business_locale = row
    await _retire(session, user.id, now)
    token = secrets.token_urlsafe(32)
    session.add(PasswordReset(admin_user_id=user.id, token_hash=token_hash(token), created_at=now, expires_at=now + VALID_FOR))
    await session.flush()
    return ResetAsked(token, user.email, user.name, business_name, user.locale or business_locale)


async def valid(session: AsyncSession, token: str, now: datetime) -> bool:
    """Whether the link still works (to show its form, or say it does not)."""
    return await session.scalar(select(PasswordReset.id).where(*_usable(token, now))) is not None


async def complete(session: AsyncSession, token: str, password: str, now: datetime) -> AdminUser:
    """Set the password through the link, once: the link is spent, every session of the user ends."""
    if not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise WeakPassword(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
    # One statement spends the link: of two tries at once, only one finds it unused.
    user_id = await session.scalar(update(PasswordReset).where(*_usable(token, now)).values(used_at=now)
                                   .returning(PasswordReset.admin_user_id))
    user = await session.get(AdminUser, user_id) if user_id is not None else None
    if user is None or not user.active:
        raise ResetRefused("This link has expired or was already used.")
    user.password_hash = await asyncio.to_thread(hash_password, password)  # argon2 on purpose takes a while
    await _retire(session, user.id, now)
    await end_sessions(session, user.id)
    await login_throttle.forget(session, f"email:{user.email}")
    await session.refresh(user)
    return user


def _usable(token: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (PasswordReset.token_hash == token_hash(token), PasswordReset.used_at.is_(None), PasswordReset.expires_at > now)


async def _retire(session: AsyncSession, user_id: int, now: datetime) -> None:
    await session.execute(update(PasswordReset).where(PasswordReset.admin_user_id == user_id, PasswordReset.used_at.is_(None))
                          .values(used_at=now))
