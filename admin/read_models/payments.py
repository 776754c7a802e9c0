"""The payments page: purchases with their client and product, filtered and paged, and revenue per month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.calendar_week import client_label
from domain.models import AdminUser, Client, Membership, Product, Purchase, ScheduledMessage
from domain.payments.subscriptions import DUNNING

PAGE_SIZE = 50
STATUSES = ("pending", "paid", "refunded", "expired", "failed")


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    product_id: int | None = None
    client: str | None = None  # part of a name or phone
    month: date | None = None  # the first day of a local month


@dataclass(frozen=True)
class PaymentRow:
    purchase: Purchase
    client_id: int
    client: str
    product: str
    recorded_by: str | None


async def payments(session: AsyncSession, business_id: int, tz: str, filters: Filters, page: int) -> tuple[list[PaymentRow], int]:
    """One page of purchases, newest first, and how many match."""
    stmt = _filtered(business_id, tz, filters)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(Purchase.created_at.desc(), Purchase.id.desc())
                                 .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return [PaymentRow(p, p.client_id, client_label(name, phone, p.client_id) or "", product, staff)
            for p, name, phone, product, staff in rows.all()], total


def _filtered(business_id: int, tz: str, f: Filters) -> Select:  # type: ignore[type-arg]
    stmt = (select(Purchase, Client.profile_name, Client.phone_e164, Product.name, AdminUser.name)
            .join(Client, Client.id == Purchase.client_id).join(Product, Product.id == Purchase.product_id)
            .outerjoin(AdminUser, AdminUser.id == Purchase.recorded_by)
            .where(Purchase.business_id == business_id))
    if f.status:
        stmt = stmt.where(Purchase.status == f.status)
    if f.product_id:
        stmt = stmt.where(Purchase.product_id == f.product_id)
    if f.client:
        like = f"%{f.client}%"
        stmt = stmt.where(or_(Client.profile_name.ilike(like), Client.phone_e164.like(like)))
    if f.month:
        start, end = month_range(f.month, tz)
        stmt = stmt.where(Purchase.created_at >= start, Purchase.created_at < end)
    return stmt


@dataclass(frozen=True)
class Reminder:
    day: int
    status: str  # pending | done | skipped | cancelled
    at: datetime  # when it went (or is due)


@dataclass(frozen=True)
class Overdue:
    """A membership whose card failed, and what dunning has sent so far."""

    membership: Membership
    client_id: int
    client: str
    reminders: list[Reminder]


async def overdue_memberships(session: AsyncSession, business_id: int) -> list[Overdue]:
    plans = (await session.execute(
        select(Membership, Client.profile_name, Client.phone_e164).join(Client, Client.id == Membership.client_id)
        .where(Membership.business_id == business_id, Membership.status == "past_due")
        .order_by(Membership.past_due_since))).all()
    if not plans:
        return []
    rows = (await session.execute(
        select(ScheduledMessage).where(ScheduledMessage.business_id == business_id, ScheduledMessage.kind == DUNNING,
                                       ScheduledMessage.subject_id.in_([p.id for p, _, _ in plans]))
        .order_by(ScheduledMessage.offset_min))).scalars().all()
    sent: dict[int, list[Reminder]] = {}
    for row in rows:
        at = row.updated_at if row.status != "pending" else row.due_at
        sent.setdefault(row.subject_id, []).append(Reminder(row.offset_min // (24 * 60), row.status, at))
    return [Overdue(plan, plan.client_id, client_label(name, phone, plan.client_id) or "", sent.get(plan.id, []))
            for plan, name, phone in plans]


async def revenue_by_month(session: AsyncSession, business_id: int, tz: str, today: date, months: int = 12) -> list[tuple[str, int]]:
    """(month label, cents paid) for the last `months` local months, oldest first; refunds count nothing."""
    first = _add_months(today.replace(day=1), -(months - 1))
    start, _ = month_range(first, tz)
    rows = await session.execute(select(Purchase.paid_at, Purchase.amount_cents)
                                 .where(Purchase.business_id == business_id, Purchase.status == "paid", Purchase.paid_at >= start))
    zone = ZoneInfo(tz)
    totals = {_add_months(first, i): 0 for i in range(months)}
    for paid_at, cents in rows.all():
        month = paid_at.astimezone(zone).date().replace(day=1)
        if month in totals:
            totals[month] += cents
    return [(f"{m:%m/%y}", cents) for m, cents in totals.items()]


def month_range(first: date, tz: str) -> tuple[datetime, datetime]:
    """A local month as UTC instants [start, end)."""
    zone = ZoneInfo(tz)
    return (datetime.combine(first, time(), zone).astimezone(UTC),
            datetime.combine(_add_months(first, 1), time(), zone).astimezone(UTC))


def _add_months(first: date, months: int) -> date:
    year, month = divmod(first.month - 1 + months, 12)
    return date(first.year + year, month + 1, 1)
