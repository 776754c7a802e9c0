"""The admin's client list: search, paging, status, and which clients a trainer may see."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.i18n import _
from domain.errors import NotFound
from domain.models import Appointment, Booking, CheckIn, Client, CreditBalance
from domain.sql.db import fold

PAGE_SIZE = 25


def status_of(client: Any) -> str:
    """One word for the list: erased, deactivated, opted out, or active (in that precedence)."""
    if client.erased_at is not None:
        return "erased"
    if client.deactivated_at is not None:
        return "deactivated"
    return "opted out" if client.opted_out else "active"


def display_name(client: Any) -> str:
    """The name a trainer knows the client by; the phone when WhatsApp sent no name."""
    if client.erased_at is not None:
        return _("(erased client)")
    return client.profile_name or client.phone_e164 or _("(no name)")


def trainer_client_ids(staff_id: int) -> Select[tuple[int]]:
    """Clients who have (or had) a booking in one of the trainer's appointments."""
    return (select(Booking.client_id).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Appointment.staff_id == staff_id))


def visible(business_id: int, staff_id: int | None) -> list[ColumnElement[bool]]:
    """The filters that scope clients to a business, and to a trainer's own clients when given."""
    filters: list[ColumnElement[bool]] = [Client.business_id == business_id]
    if staff_id is not None:
        filters.append(Client.id.in_(trainer_client_ids(staff_id)))
    return filters


async def get_visible(session: AsyncSession, business_id: int, staff_id: int | None, client_id: int) -> Client:
    """The client, if this business (and trainer, when given) may see it; else NotFound."""
    stmt = select(Client).where(Client.id == client_id, *visible(business_id, staff_id))
    client = (await session.execute(stmt)).scalar_one_or_none()
    if client is None:
        raise NotFound(f"client {client_id} not found")
    return client


@dataclass(frozen=True)
class ClientRow:
    id: int
    name: str
    phone: str | None
    last_visit: datetime | None
    credits: int
    status: str


@dataclass(frozen=True)
class ClientPage:
    rows: list[ClientRow]
    page: int
    pages: int
    total: int


def search_filter(query: str) -> ColumnElement[bool] | None:
    """Name contains the words typed, whatever their case and accents, or the phone contains the digits typed (3 or more)."""
    query = query.strip()
    if not query:
        return None
    conditions = [func.fz_fold(Client.profile_name).contains(fold(query), autoescape=True)]  # "joao" finds "João"
    digits = "".join(ch for ch in query if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Client.phone_e164.contains(digits, autoescape=True))
    return or_(*conditions)


async def list_clients(session: AsyncSession, business_id: int, staff_id: int | None, *, query: str = "",
                       page: int = 1) -> ClientPage:
    """One page of clients sorted by name: two queries whatever the page size (count, rows)."""
    filters = visible(business_id, staff_id)
    if (condition := search_filter(query)) is not None:
        filters.append(condition)
    total = (await session.execute(select(func.count()).select_from(Client).where(*filters))).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    # Correlated per row of the page only; ix_check_ins_client_at answers max() from the index.
    last_visit = (select(func.max(CheckIn.checked_in_at)).where(CheckIn.client_id == Client.id)
                  .correlate(Client).scalar_subquery())
    stmt = (
        select(Client.id, Client.profile_name, Client.phone_e164, Client.opted_out, Client.deactivated_at,
               Client.erased_at, last_visit.label("last_visit"), func.coalesce(CreditBalance.balance, 0).label("credits"))
        .outerjoin(CreditBalance, CreditBalance.client_id == Client.id)
        .where(*filters)
        .order_by(Client.profile_name.is_(None), func.lower(Client.profile_name), Client.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    rows = [ClientRow(r.id, display_name(r), r.phone_e164, r.last_visit, r.credits, status_of(r))
            for r in (await session.execute(stmt)).all()]
    return ClientPage(rows, page, pages, total)
