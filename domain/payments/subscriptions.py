"""Memberships billed by a Stripe subscription: renewed by each paid invoice, dunned when one fails
(day 0, 3 and 7, as due work that quiet hours defer), ended at the period's end when cancelled."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.automation.scheduled_work import insert_rows
from domain.models import Client, Membership, Product, Purchase, ScheduledMessage
from domain.payments.products import membership_ends_on

DUNNING_DAYS = (0, 3, 7)
DUNNING = "dunning"


async def by_subscription(session: AsyncSession, subscription_id: str) -> Membership | None:
    stmt = (select(Membership).where(Membership.stripe_subscription_id == subscription_id)
            .with_for_update().execution_options(populate_existing=True))
    return (await session.execute(stmt)).scalar_one_or_none()


async def attach(session: AsyncSession, membership_id: int, subscription_id: str | None, customer_id: str | None) -> None:
    """The subscription that bills the membership from now on."""
    plan = await session.get(Membership, membership_id)
    assert plan is not None
    plan.stripe_subscription_id, plan.stripe_customer_id = subscription_id, customer_id
    await session.flush()


async def renew(session: AsyncSession, plan: Membership, period_end: date | None, now: datetime) -> None:
    """A paid invoice: the plan runs to the end of the period it paid for, and dunning stops."""
    if period_end is None:
        period = await _period_of(session, plan)
        period_end = membership_ends_on(plan.ends_on + timedelta(days=1), period) if period else plan.ends_on
    plan.ends_on = max(plan.ends_on, period_end)
    plan.status, plan.past_due_since = "active", None
    await _stop_dunning(session, plan.id, now)
    await session.flush()


async def payment_failed(session: AsyncSession, plan: Membership, now: datetime) -> bool:
    """A failed invoice: the plan is past due (it keeps the business's grace days) and, the first time,
    the client is reminded on days 0, 3 and 7; False when it was already past due."""
    if plan.status == "past_due":
        return False
    plan.status, plan.past_due_since = "past_due", now
    await insert_rows(session, [{"business_id": plan.business_id, "kind": DUNNING, "subject_id": plan.id,
                                 "offset_min": day * 24 * 60, "target_at": now, "due_at": now + timedelta(days=day),
                                 "status": "pending", "created_at": now, "updated_at": now} for day in DUNNING_DAYS])
    await session.flush()
    return True


async def ended(session: AsyncSession, plan: Membership, period_end: date | None, now: datetime) -> None:
    """The subscription was cancelled: the plan covers what was paid for and no more."""
    if period_end is not None:
        plan.ends_on = max(plan.starts_on, min(plan.ends_on, period_end))
    plan.stripe_subscription_id = None
    await _stop_dunning(session, plan.id, now)
    await session.flush()


async def dunning_subject(session: AsyncSession, business_id: int, membership_id: int) -> tuple[Membership, Client, str | None] | None:
    """The membership a dunning row is about, its client, and the token of the purchase that began it."""
    plan = await session.get(Membership, membership_id)
    if plan is None or plan.business_id != business_id:
        return None
    client = await session.get(Client, plan.client_id)
    assert client is not None
    token = (await session.execute(select(Purchase.token).where(Purchase.membership_id == plan.id).limit(1))).scalar_one_or_none()
    return plan, client, token


async def _stop_dunning(session: AsyncSession, membership_id: int, now: datetime) -> None:
    await session.execute(update(ScheduledMessage)
                          .where(ScheduledMessage.subject_id == membership_id, ScheduledMessage.kind == DUNNING,
                                 ScheduledMessage.status == "pending")
                          .values(status="cancelled", outcome="paid", updated_at=now).execution_options(synchronize_session=False))


async def _period_of(session: AsyncSession, plan: Membership) -> str | None:
    stmt = (select(Product.period).join(Purchase, Purchase.product_id == Product.id)
            .where(Purchase.membership_id == plan.id).limit(1))
    return (await session.execute(stmt)).scalar_one_or_none()
