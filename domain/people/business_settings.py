"""Changing a business's own settings: profile, booking policies, check-in code, WhatsApp connection."""
from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.messaging import secret_box
from domain.models import Business
from domain.scheduling.catalog import get_scoped

# What the panel may change; ids, the creation time and the token (see set_whatsapp) are not on it.
PROFILE_FIELDS = frozenset({"name", "timezone", "locale", "currency", "address", "latitude", "longitude",
                            "checkin_radius_m"})
POLICY_FIELDS = frozenset({"min_notice_min", "max_horizon_days", "slot_step_min", "late_cancel_window_min",
                           "no_show_after_min", "booking_requires_credit", "waitlist_hold_min", "past_due_grace_days",
                           "payment_hold_min"})
AUTOMATION_FIELDS = frozenset({"reminder_offsets_min", "reminder_template", "followup_enabled", "followup_after_min",
                               "quiet_start_min", "quiet_end_min"})
# No 0/O or 1/I/L: the code is also typed by hand when a camera will not read it.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class PhoneNumberTaken(DomainError):
    """Another business already uses that WhatsApp phone number id."""

    code = "phone_number_taken"


async def update(session: AsyncSession, business_id: int, values: Mapping[str, Any], allowed: frozenset[str]) -> Business:
    """Set the given fields (each must be in `allowed`) on the business."""
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"not a settable field: {', '.join(sorted(unknown))}")
    business = await get_scoped(session, Business, business_id, business_id)
    for name, value in values.items():
        setattr(business, name, value)
    await session.flush()
    return business


async def set_stripe_account(session: AsyncSession, business_id: int, account_id: str | None) -> None:
    """The business's Stripe connected account (direct charges go to it); None disconnects it."""
    business = await get_scoped(session, Business, business_id, business_id)
    business.stripe_account_id = account_id
    await session.flush()


def new_checkin_code() -> str:
    """A fresh code for the studio's QR poster, e.g. CHECKIN-7K2QX9."""
    return "CHECKIN-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))


async def regenerate_checkin_code(session: AsyncSession, business_id: int) -> str:
    """Replace the check-in code: the old printed QR code stops working."""
    business = await get_scoped(session, Business, business_id, business_id)
    business.checkin_code = new_checkin_code()
    await session.flush()
    return business.checkin_code


async def set_whatsapp(session: AsyncSession, business_id: int, secret_key: str, *, phone_number_id: str,
                       display_phone_number: str | None, access_token: str | None, app_secret: str | None = None) -> Business:
    """Connect the business's number; a new token or app secret replaces the stored one (None keeps it)."""
    taken = await session.scalar(select(Business.id).where(Business.phone_number_id == phone_number_id,
                                                          Business.id != business_id))
    if taken is not None:
        raise PhoneNumberTaken("that phone number id is already connected to another business")
    business = await get_scoped(session, Business, business_id, business_id)
    business.phone_number_id = phone_number_id
    business.display_phone_number = display_phone_number
    if access_token:
        business.whatsapp_token_encrypted = secret_box.seal(secret_key, access_token)
    if app_secret:
        business.whatsapp_app_secret_encrypted = secret_box.seal(secret_key, app_secret)
    await session.flush()
    return business


async def forget_whatsapp_token(session: AsyncSession, business_id: int) -> None:
    """Drop the business's own token: sends fall back to the deployment's token."""
    business = await get_scoped(session, Business, business_id, business_id)
    business.whatsapp_token_encrypted = business.whatsapp_app_secret_encrypted = None
    await session.flush()
