"""Studios signing up on their own: a sign-up waits for its email to be confirmed, then becomes a business on the
Free plan with its owner's login. The link is single-use and time-limited; only its SHA-256 is kept.

Asking reveals nothing: whether or not the email already has a login, the caller answers the same (the mail
differs: a taken email gets "you already have a login" instead of a link)."""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import AdminUser, Business, Signup
from domain.people import login_throttle
from domain.people.admin_users import MIN_PASSWORD_CHARS, hash_password, normalise_email
from domain.people.password_resets import token_hash
from domain.platform.plans import SIGNUP_PLAN

VALID_FOR = timedelta(hours=24)
MAX_PER_EMAIL = 3
MAX_PER_IP = 10
LOCALES = ("pt-BR", "en")
CURRENCY = {"pt-BR": "BRL", "en": "USD"}


class SignupRefused(DomainError):
    """The link is unknown, used or expired, or its email got a login meanwhile; one message for all."""

    code = "signup_refused"


class SignupThrottled(DomainError):
    code = "signup_throttled"


@dataclass(frozen=True)
class SignupAsked:
    """Whom to mail, and what: `token` to confirm with, or None when the email already has a login."""

    email: str
    name: str
    locale: str
    token: str | None


def valid_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


async def ask(session: AsyncSession, *, email: str, name: str, business_name: str, password: str, locale: str,
              timezone: str, ip: str, now: datetime) -> SignupAsked:
    """Keep the sign-up (the email's earlier ones retired) and say what to mail; SignupThrottled when asked too often."""
    email = normalise_email(email)
    for key, limit in ((f"signup:email:{email}", MAX_PER_EMAIL), (f"signup:ip:{ip}", MAX_PER_IP)):
        if not await login_throttle.take_attempt(session, key, limit, now):
            raise SignupThrottled("Too many sign-ups. Try again in a few minutes.")
    if await session.scalar(select(AdminUser.id).where(AdminUser.email == email)) is not None:
        return SignupAsked(email, name, locale, None)
    await session.execute(delete(Signup).where(Signup.email == email, Signup.confirmed_at.is_(None)))
    token = secrets.token_urlsafe(32)
    session.add(Signup(email=email, name=name, business_name=business_name, locale=locale, timezone=timezone,
                       password_hash=await asyncio.to_thread(hash_password, password), token_hash=token_hash(token),
                       created_at=now, expires_at=now + VALID_FOR))
    await session.flush()
    return SignupAsked(email, name, locale, token)


async def pending(session: AsyncSession, token: str, now: datetime) -> Signup | None:
    """The sign-up the link confirms, while it still can."""
    return (await session.execute(select(Signup).where(
        Signup.token_hash == token_hash(token), Signup.confirmed_at.is_(None), Signup.expires_at > now))).scalar_one_or_none()


async def confirm(session: AsyncSession, token: str, now: datetime) -> AdminUser:
    """Make the studio (Free plan, WhatsApp not connected yet) and its owner's login, once."""
    # One statement spends the link: of two clicks at once, only one makes a studio.
    signup_id = await session.scalar(update(Signup).where(
        Signup.token_hash == token_hash(token), Signup.confirmed_at.is_(None), Signup.expires_at > now)
        .values(confirmed_at=now).returning(Signup.id))
    signup = await session.get(Signup, signup_id) if signup_id is not None else None
    if signup is None:
        raise SignupRefused("This link has expired or was already used.")
    if await session.scalar(select(AdminUser.id).where(AdminUser.email == signup.email)) is not None:
        raise SignupRefused("This email has a login already.")
    business = Business(name=signup.business_name, phone_number_id=None, timezone=signup.timezone, locale=signup.locale,
                        currency=CURRENCY.get(signup.locale, "USD"), created_at=now, plan=SIGNUP_PLAN)
    session.add(business)
    await session.flush()
    user = AdminUser(business_id=business.id, email=signup.email, name=signup.name, password_hash=signup.password_hash,
                     role="owner", active=True, created_at=now, last_login_at=now)
    session.add(user)
    signup.business_id = business.id
    await session.flush()
    return user


async def forget_expired(session: AsyncSession, now: datetime) -> int:
    """Delete sign-ups whose link can no longer be used, confirmed or not: their password hash and email have no
    use left (a confirmed one's live on in its login). Returns how many."""
    result = await session.execute(delete(Signup).where(Signup.expires_at <= now))
    return int(result.rowcount or 0)


def check_password(password: str) -> bool:
    return MIN_PASSWORD_CHARS <= len(password) <= 1024
