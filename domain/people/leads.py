"""Leads: who wrote before they were a client, where they came from, and how far they have come.

A lead is made once per client: on the first conversation of a number that has never booked, checked in
or paid (source `ad` when the message carries a click-to-WhatsApp referral, `link` when it carries one of
the business's codes, else `organic`), or by staff typing a phone in (`typed`). Its stage is read from
the facts after it came in, never stored: a booking (trial booked), a check-in or a completed session
(trial attended), a paid purchase or a membership (member). When the business has a trial service, only a
booking of that service is the trial (and only its check-in or completion attends it). Staff may mark a lead
lost; a later fact wins.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.models import (
    Appointment,
    Booking,
    BookingEvent,
    Business,
    CheckIn,
    Client,
    Lead,
    LeadCode,
    Membership,
    Purchase,
    Service,
)
from domain.people import client_records
from domain.sql.types import aware

SOURCES = ("ad", "link", "typed", "organic")
STAGES = ("new", "trial_booked", "trial_attended", "member", "lost")
CODE = re.compile(r"^[A-Z0-9]{2,32}$")
_DETAIL_MAX = 200


class LeadError(DomainError):
    code = "lead_error"


class InvalidCode(LeadError):
    """A link code is 2 to 32 letters or digits."""

    code = "invalid_lead_code"


class DuplicateCode(LeadError):
    """The business already has this code."""

    code = "duplicate_lead_code"


class AlreadyClient(LeadError):
    """The number typed in is already one of the business's clients."""

    code = "already_client"


def normal_code(typed: str) -> str:
    """A code as stored (upper case); InvalidCode when it is not 2–32 letters or digits."""
    code = typed.strip().upper()
    if not CODE.match(code):
        raise InvalidCode(typed)
    return code


async def add_code(session: AsyncSession, business_id: int, code: str, label: str, now: datetime) -> LeadCode:
    """A new link code; DuplicateCode when the business has it already (archived ones too)."""
    code = normal_code(code)
    taken = await session.scalar(select(exists().where(LeadCode.business_id == business_id, LeadCode.code == code)))
    if taken:
        raise DuplicateCode(code)
    row = LeadCode(business_id=business_id, code=code, label=label.strip()[:120] or code, created_at=now)
    session.add(row)
    await session.flush()
    return row


async def archive_code(session: AsyncSession, business_id: int, code_id: int, now: datetime) -> LeadCode:
    """Stop reading a code in messages (its leads keep it); another business's id is NotFound."""
    row = await session.get(LeadCode, code_id)
    if row is None or row.business_id != business_id:
        raise NotFound(f"lead code {code_id} not found")
    row.archived_at = row.archived_at or now
    return row


async def codes_of(session: AsyncSession, business_id: int, *, archived: bool = False) -> list[LeadCode]:
    stmt = select(LeadCode).where(LeadCode.business_id == business_id).order_by(LeadCode.created_at, LeadCode.id)
    if not archived:
        stmt = stmt.where(LeadCode.archived_at.is_(None))
    return list((await session.execute(stmt)).scalars().all())


def code_in(text: str, codes: list[LeadCode]) -> LeadCode | None:
    """The business's code a message carries as a word of its own ("…(código INSTA10)", "insta10")."""
    words = set(re.findall(r"[A-Z0-9]+", text.upper()))
    return next((c for c in codes if c.code in words), None)


async def _has_history(session: AsyncSession, client: Client) -> bool:
    """Whether the client has ever booked, checked in, paid or held a plan: a client, not a lead."""
    if client.external_id is not None:
        return True
    for model in (Booking, CheckIn, Membership):
        if await session.scalar(select(exists().where(model.client_id == client.id))):  # type: ignore[attr-defined]
            return True
    return bool(await session.scalar(select(exists().where(Purchase.client_id == client.id, Purchase.paid_at.is_not(None)))))


async def lead_of(session: AsyncSession, business_id: int, client_id: int) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.business_id == business_id, Lead.client_id == client_id))


async def first_contact(session: AsyncSession, business_id: int, client: Client, *, text: str | None,
                        referral: dict[str, Any] | None, now: datetime) -> Lead | None:
    """The lead a first conversation makes, with its source; None when the client is one already, or a lead."""
    if client.business_id != business_id or await lead_of(session, business_id, client.id) or await _has_history(session, client):
        return None
    lead = Lead(business_id=business_id, client_id=client.id, source="organic", created_at=now)
    if referral:
        lead.source, lead.referral = "ad", referral
        lead.source_detail = _text(referral.get("headline")) or _text(referral.get("source_id")) or _text(referral.get("source_url"))
    elif text and (code := code_in(text, await codes_of(session, business_id))) is not None:
        lead.source, lead.source_detail, lead.code_id = "link", code.code, code.id
    session.add(lead)
    await session.flush()
    return lead


def _text(value: Any) -> str | None:
    return (str(value).strip()[:_DETAIL_MAX] or None) if value else None


async def add_typed(session: AsyncSession, business_id: int, *, phone: str, name: str | None, locale: str | None,
                    added_by: str, now: datetime) -> Lead:
    """A lead staff typed in (a walk-in, a phone call): a new client with source `typed`; AlreadyClient if the
    business has the number."""
    try:
        client = await client_records.add_client(session, business_id, phone=phone, name=name, locale=locale, now=now)
    except client_records.DuplicatePhone:
        raise AlreadyClient(phone) from None
    lead = Lead(business_id=business_id, client_id=client.id, source="typed", source_detail=added_by[:_DETAIL_MAX], created_at=now)
    session.add(lead)
    await session.flush()
    return lead


async def set_lost(session: AsyncSession, business_id: int, lead_id: int, lost: bool, now: datetime) -> Lead:
    """Mark a lead lost (or back in the pipeline); another business's id is NotFound."""
    lead = await session.get(Lead, lead_id)
    if lead is None or lead.business_id != business_id:
        raise NotFound(f"lead {lead_id} not found")
    lead.lost_at = (lead.lost_at or now) if lost else None
    return lead


async def trial_service(session: AsyncSession, business: Business) -> Service | None:
    """The active service first contacts are offered as a trial class; None when the business chose none."""
    if business.trial_service_id is None:
        return None
    service = await session.get(Service, business.trial_service_id)
    return service if service is not None and service.business_id == business.id and service.active else None


async def set_trial_service(session: AsyncSession, business_id: int, service_id: int | None) -> Service | None:
    """Choose the trial service (None: no trial offer); another business's service is NotFound."""
    business = await session.get(Business, business_id)
    if business is None:
        raise NotFound(f"business {business_id} not found")
    service = None
    if service_id is not None:
        service = await session.get(Service, service_id)
        if service is None or service.business_id != business_id:
            raise NotFound(f"service {service_id} not found")
    business.trial_service_id = service_id
    return service


@dataclass(frozen=True)
class LeadRow:
    """A lead with its client and the moments it reached each stage (None: not yet)."""

    id: int
    client_id: int
    name: str | None
    phone: str | None
    source: str
    source_detail: str | None
    code_label: str | None
    created_at: datetime
    trial_booked_at: datetime | None
    trial_attended_at: datetime | None
    member_at: datetime | None
    lost_at: datetime | None

    @property
    def stage(self) -> str:
        if self.member_at:
            return "member"
        if self.trial_attended_at:
            return "trial_attended"
        if self.trial_booked_at:
            return "trial_booked"
        return "lost" if self.lost_at else "new"



def _first(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


async def pipeline(session: AsyncSession, business_id: int, *, client_id: int | None = None) -> list[LeadRow]:
    """The business's leads (or the one of `client_id`), newest first, each with the moment it reached each stage."""
    since = Lead.created_at
    trial_id = await session.scalar(select(Business.trial_service_id).where(Business.id == business_id))
    # With a trial service only its bookings are trials; without one, any booking is.
    trial = [Appointment.service_id == trial_id] if trial_id is not None else []
    booked = (select(func.min(Booking.created_at)).join_from(Booking, Appointment, Appointment.id == Booking.appointment_id)
              .where(Booking.client_id == Lead.client_id, Booking.created_at >= since, *trial).scalar_subquery())
    checked_in = select(func.min(CheckIn.checked_in_at)).where(CheckIn.client_id == Lead.client_id, CheckIn.checked_in_at >= since)
    if trial:
        checked_in = (checked_in.join(Booking, Booking.id == CheckIn.booking_id)
                      .join(Appointment, Appointment.id == Booking.appointment_id).where(*trial))
    completed = (select(func.min(BookingEvent.at)).join(Booking, Booking.id == BookingEvent.booking_id)
                 .join(Appointment, Appointment.id == Booking.appointment_id)
                 .where(Booking.client_id == Lead.client_id, BookingEvent.to_status == "completed", BookingEvent.at >= since,
                        *trial)
                 .scalar_subquery())
    paid = (select(func.min(Purchase.paid_at))
            .where(Purchase.client_id == Lead.client_id, Purchase.paid_at >= since).scalar_subquery())
    plan = (select(func.min(Membership.created_at))
            .where(Membership.client_id == Lead.client_id, Membership.created_at >= since).scalar_subquery())
    stmt = (select(Lead, Client.profile_name, Client.phone_e164, LeadCode.label, booked, checked_in.scalar_subquery(),
                   completed, paid, plan)
            .join(Client, Client.id == Lead.client_id)
            .outerjoin(LeadCode, LeadCode.id == Lead.code_id)
            .where(Lead.business_id == business_id)
            .order_by(Lead.created_at.desc(), Lead.id.desc()))
    if client_id is not None:
        stmt = stmt.where(Lead.client_id == client_id)
    rows = []
    for lead, name, phone, label, *facts in (await session.execute(stmt)).all():
        booked_at, checked_at, completed_at, paid_at, plan_at = (aware(f) for f in facts)
        attended_at = _first(checked_at, completed_at)
        rows.append(LeadRow(id=lead.id, client_id=lead.client_id, name=name, phone=phone, source=lead.source,
                            source_detail=lead.source_detail, code_label=label, created_at=lead.created_at,
                            trial_booked_at=_first(booked_at, attended_at), trial_attended_at=attended_at,
                            member_at=_first(paid_at, plan_at), lost_at=lead.lost_at))
    return rows


async def lead_row(session: AsyncSession, business_id: int, client_id: int) -> LeadRow | None:
    """The client's lead with its stage, as the pipeline shows it; None when the client came in as no lead."""
    rows = await pipeline(session, business_id, client_id=client_id)
    return rows[0] if rows else None
