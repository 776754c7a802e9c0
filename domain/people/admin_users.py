"""Panel logins: argon2id password hashes, creating users, and throttled authentication."""
from __future__ import annotations

import asyncio
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.errors import DomainError
from domain.models import AdminUser, Staff
from domain.people import login_throttle

ROLES = ("owner", "trainer")
MIN_PASSWORD_CHARS = 10
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_IP = 20

_hasher = PasswordHasher()  # argon2id with the library's current recommended cost


@cache  # made on the first login, not on import: a hash at this cost took 0.13 s of every start
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so a miss costs as long as a wrong password."""
    return hasher.hash("no such user, never a password")


class AdminUserError(DomainError):
    code = "admin_user_error"


class LoginRefused(DomainError):
    """Wrong email or password, or an inactive user: one message, so nobody learns which."""

    code = "login_refused"


class LoginThrottled(DomainError):
    """Too many recent failures for this account or this address."""

    code = "login_throttled"


def hash_password(password: str) -> str:
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    """Emails are compared lower-case and without surrounding spaces."""
    return email.strip().lower()


async def create_user(
    session: AsyncSession, business_id: int, email: str, name: str, password: str, role: str, now: datetime,
    staff_id: int | None = None, locale: str | None = None,
) -> AdminUser:
    """Add a panel user; refuses a taken email, a short password, an unknown role or another business's trainer."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AdminUserError("Enter a valid email address.")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AdminUserError(f"The password needs at least {MIN_PASSWORD_CHARS} characters.")
    if role not in ROLES:
        raise AdminUserError("The role must be owner or trainer.")
    if staff_id is not None and await session.scalar(
        select(Staff.id).where(Staff.id == staff_id, Staff.business_id == business_id)
    ) is None:
        raise AdminUserError("That trainer does not exist in this business.")
    if await session.scalar(select(AdminUser.id).where(AdminUser.email == email)) is not None:
        raise AdminUserError("A user with that email already exists.")
    user = AdminUser(business_id=business_id, email=email, name=name.strip() or email, password_hash=hash_password(password),
                     role=role, staff_id=staff_id, active=True, created_at=now, locale=locale)
    session.add(user)
    await session.flush()
    return user


async def set_locale(session: AsyncSession, user_id: int, locale: str | None) -> None:
    """The panel's language the user picked (None: follow the business's)."""
    await session.execute(update(AdminUser).where(AdminUser.id == user_id).values(locale=locale))


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """End every panel session of the user: their cookies carry the old session version."""
    await session.execute(update(AdminUser).where(AdminUser.id == user_id)
                          .values(session_version=AdminUser.session_version + 1))


async def authenticate(sessions: async_sessionmaker[AsyncSession], email: str, password: str, ip: str,
                       now: datetime) -> AdminUser:
    """The active user with this email and password; at most MAX_FAILURES_PER_ACCOUNT (and _PER_IP) wrong
    passwords are checked in login_throttle.WINDOW, however many guesses arrive at once."""
    email = normalise_email(email)
    account, address = f"email:{email}", f"ip:{ip}"
    # Committed before the password is checked, so a parallel guess already sees this one counted; when
    # either limit is full the transaction rolls back and the refused attempt counts for neither.
    async with sessions.begin() as session:
        for key, limit in ((account, MAX_FAILURES_PER_ACCOUNT), (address, MAX_FAILURES_PER_IP)):
            if not await login_throttle.take_attempt(session, key, limit, now):
                raise LoginThrottled(f"Too many failed attempts. Try again in {login_throttle.WINDOW.seconds // 60} minutes.")
    async with sessions.begin() as session:
        user = await session.scalar(select(AdminUser).where(AdminUser.email == email))
        # argon2 takes a good part of a second on purpose: off the event loop, which meanwhile answers webhooks.
        matches = await asyncio.to_thread(_password_matches, user.password_hash if user else _dummy_hash(_hasher), password)
        if not matches or user is None or not user.active:
            raise LoginRefused("Wrong email or password.")  # its attempt stays counted
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = now
        await login_throttle.forget(session, account)
        await login_throttle.give_back(session, address)
    return user


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
