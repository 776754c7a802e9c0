"""Everything the client page shows, in a handful of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.chat_history import ChatLine, chat_history
from admin.read_models.client_directory import get_visible, status_of
from domain.messaging.outbox import inside_window
from domain.models import (
    Appointment,
    Booking,
    CheckIn,
    Client,
    ClientNote,
    Conversation,
    CreditEntry,
    Membership,
    Product,
    Purchase,
    Service,
    Staff,
)
from domain.payments import products, purchases
from domain.scheduling import credits, memberships

PAST_LIMIT = 50


@dataclass(frozen=True)
class Visit:
    """One booking as the trainer sees it."""

    starts_at: datetime
    service: str
    trainer: str
    status: str


@dataclass(frozen=True)
class ClientProfile:
    client: Client
    status: str
    balance: int
    upcoming: list[Visit]
    past: list[Visit]
    check_ins: list[CheckIn]
    ledger: list[CreditEntry]
    notes: list[ClientNote]
    chat: list[ChatLine]
    handoff: bool
    inside_window: bool
    purchases: list[tuple[Purchase, Product]]
    membership: Membership | None
    on_sale: list[Product]


async def client_profile(session: AsyncSession, business_id: int, staff_id: int | None, client_id: int,
                         now: datetime) -> ClientProfile:
    """The client page's data; NotFound for another business's client or, for a trainer, not theirs."""
    client = await get_visible(session, business_id, staff_id, client_id)
    upcoming, past = await _visits(session, business_id, client_id, now)
    check_ins = (await session.execute(
        select(CheckIn).where(CheckIn.business_id == business_id, CheckIn.client_id == client_id)
        .order_by(CheckIn.checked_in_at.desc()).limit(PAST_LIMIT))).scalars().all()
    notes = (await session.execute(
        select(ClientNote).where(ClientNote.business_id == business_id, ClientNote.client_id == client_id)
        .order_by(ClientNote.created_at.desc(), ClientNote.id.desc()))).scalars().all()
    handoff = (await session.execute(
        select(Conversation.handoff).where(Conversation.client_id == client_id))).scalar_one_or_none()
    return ClientProfile(
        client=client, status=status_of(client), balance=await credits.balance(session, business_id, client_id),
        upcoming=upcoming, past=past, check_ins=list(check_ins),
        ledger=await credits.history(session, business_id, client_id), notes=list(notes),
        chat=await chat_history(session, business_id, client_id), handoff=bool(handoff),
        inside_window=inside_window(client.last_inbound_at, now),
        purchases=await purchases.of_client(session, business_id, client_id),
        membership=await memberships.current_membership(session, business_id, client_id, now.date()),
        on_sale=await products.active_products(session, business_id),
    )


async def _visits(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> tuple[list[Visit], list[Visit]]:
    """Upcoming bookings (soonest first, all of them) and the latest past ones (newest first)."""
    base = (select(Appointment.starts_at, Service.name.label("service"), Staff.name.label("trainer"), Booking.status)
            .join(Appointment, Appointment.id == Booking.appointment_id)
            .join(Service, Service.id == Appointment.service_id)
            .join(Staff, Staff.id == Appointment.staff_id)
            .where(Booking.business_id == business_id, Booking.client_id == client_id))
    upcoming = await session.execute(base.where(Appointment.starts_at >= now).order_by(Appointment.starts_at))
    past = await session.execute(base.where(Appointment.starts_at < now)
                                 .order_by(Appointment.starts_at.desc()).limit(PAST_LIMIT))
    return ([Visit(r.starts_at, r.service, r.trainer, r.status) for r in upcoming.all()],
            [Visit(r.starts_at, r.service, r.trainer, r.status) for r in past.all()])
