"""Stripe's events, applied to purchases: each event id once, in any order.

The web edge stores a verified event (`store`); a worker applies it (`apply`) in the transaction
that marks it processed, so a crash in between leaves it to be applied again, never twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business, Membership, PaymentEvent, Purchase
from domain.payments import purchases, subscriptions
from domain.payments.purchases import Paid
from domain.payments.stripe_objects import invoice_subscription, subscription_of
from domain.platform import billing
from domain.sql.upsert import insert_for
from domain.webhooks import events as webhook_events

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """What an event did, for the chat and the team to be told."""

    outcome: str  # paid | awaiting | expired | failed | refunded | renewed | dunning | ending | unchanged | ignored
    business: Business | None = None
    purchase: Purchase | None = None
    paid: Paid | None = None
    credits_taken: int = 0
    membership: Membership | None = None


async def store(session: AsyncSession, event: dict[str, Any], now: datetime) -> bool:
    """Keep a verified event; False when its id was stored before (a redelivery)."""
    table = PaymentEvent.__table__
    stmt = insert_for(session, table).values(id=event["id"], type=event["type"], account=event.get("account"), payload=event,
                                             received_at=now).on_conflict_do_nothing(index_elements=["id"])
    return bool((await session.execute(stmt)).rowcount)


async def next_pending(session: AsyncSession) -> PaymentEvent | None:
    """The oldest event not applied yet, locked; another worker skips it."""
    stmt = (select(PaymentEvent).where(PaymentEvent.processed_at.is_(None)).order_by(PaymentEvent.received_at, PaymentEvent.id)
            .limit(1).with_for_update(skip_locked=True))
    return (await session.execute(stmt)).scalar_one_or_none()


async def waiting_since(session: AsyncSession, before: datetime) -> bool:
    """Whether an event received before `before` still waits (the sweeper wakes the worker for it)."""
    stmt = select(PaymentEvent.id).where(PaymentEvent.processed_at.is_(None), PaymentEvent.received_at < before).limit(1)
    return (await session.execute(stmt)).first() is not None


def mark_processed(event: PaymentEvent, applied: Applied, now: datetime) -> None:
    event.processed_at, event.outcome = now, applied.outcome


async def apply(session: AsyncSession, event: PaymentEvent, now: datetime) -> Applied:
    """Apply one event to the purchase (or subscription-billed membership) it concerns."""
    obj: dict[str, Any] = event.payload.get("data", {}).get("object", {})
    if event.account is None and (outcome := await billing.apply(session, event.type, obj)) is not None:
        return Applied(outcome)  # a studio's FitZap plan, billed on the platform's own account
    if event.type.startswith(("invoice.", "customer.subscription.")):
        plan = await _membership_of(session, obj)
        if plan is not None:
            return await _apply_to_membership(session, event, obj, plan, now)
    found = await _purchase_of(session, obj)
    if found is None:
        return Applied("ignored")
    purchase, business = found
    if event.account != business.stripe_account_id:
        log.warning("stripe event %s from account %s is not for business %s's account", event.id, event.account, business.id)
        return Applied("ignored")
    kind = event.type
    if kind in ("checkout.session.completed", "checkout.session.async_payment_succeeded"):
        if kind == "checkout.session.completed" and obj.get("payment_status") == "unpaid":
            # A PIX code was issued; the money is not in yet (or it came in already: events arrive in any order).
            return Applied("awaiting" if purchase.status == "pending" else "unchanged", business, purchase)
        method = "pix" if kind.endswith("async_payment_succeeded") else "card"
        paid = await purchases.pay(session, business, purchase.id, now, method=method, payment_intent_id=obj.get("payment_intent"))
        if paid and paid.purchase.membership_id and isinstance(obj.get("subscription"), str):
            await subscriptions.attach(session, paid.purchase.membership_id, obj["subscription"], obj.get("customer"))
        return Applied("paid" if paid else "unchanged", business, purchase, paid)
    if kind == "invoice.paid":  # the subscription's first invoice, before its checkout's completion
        paid = await purchases.pay(session, business, purchase.id, now, method="card", payment_intent_id=obj.get("payment_intent"))
        if paid and paid.purchase.membership_id:
            await subscriptions.attach(session, paid.purchase.membership_id, invoice_subscription(obj), obj.get("customer"))
        return Applied("paid" if paid else "unchanged", business, purchase, paid)
    if kind in ("checkout.session.expired", "checkout.session.async_payment_failed"):
        status = "expired" if kind.endswith("expired") else "failed"
        ended = await purchases.end_unpaid(session, purchase.id, status, now)
        return Applied(status if ended else "unchanged", business, purchase)
    if kind == "charge.refunded" or (kind == "charge.dispute.closed" and obj.get("status") == "lost"):
        if kind == "charge.refunded" and obj.get("amount_refunded", 0) < obj.get("amount", 0):
            return Applied("ignored", business, purchase)  # a partial refund: staff decide what it takes back
        reason = "refund" if kind == "charge.refunded" else "dispute lost"
        taken = await purchases.refund(session, business.id, purchase.id, now, reason)
        return Applied("refunded" if taken is not None else "unchanged", business, purchase, credits_taken=taken or 0)
    return Applied("ignored", business, purchase)


async def _apply_to_membership(session: AsyncSession, event: PaymentEvent, obj: dict[str, Any], plan: Membership,
                               now: datetime) -> Applied:
    business = await session.get(Business, plan.business_id)
    assert business is not None
    if event.account != business.stripe_account_id:
        return Applied("ignored")
    purchase = (await session.execute(select(Purchase).where(Purchase.membership_id == plan.id).limit(1))).scalar_one_or_none()
    if event.type == "invoice.paid":
        renewing = obj.get("billing_reason") == "subscription_cycle" or plan.status == "past_due"
        if not renewing:
            return Applied("unchanged", business, purchase)
        await subscriptions.renew(session, plan, _period_end(obj), now)
        await webhook_events.renewal_event(session, plan, purchase, now, amount_cents=obj.get("amount_paid"),
                                           currency=obj.get("currency"), invoice_id=obj.get("id"))
        return Applied("renewed", business, purchase, membership=plan)
    status = obj.get("status") if event.type == "customer.subscription.updated" else None
    if event.type == "invoice.payment_failed" or status in ("past_due", "unpaid"):
        first = await subscriptions.payment_failed(session, plan, now)
        return Applied("dunning" if first else "unchanged", business, purchase, membership=plan)
    if event.type == "customer.subscription.deleted" or status == "canceled":
        await subscriptions.ended(session, plan, _period_end(obj), now)
        return Applied("ending", business, purchase, membership=plan)
    return Applied("ignored", business, purchase)


async def _membership_of(session: AsyncSession, obj: dict[str, Any]) -> Membership | None:
    subscription = subscription_of(obj)
    return await subscriptions.by_subscription(session, subscription) if subscription is not None else None


def _token(obj: dict[str, Any]) -> object:
    details = obj.get("subscription_details") or ((obj.get("parent") or {}).get("subscription_details")) or {}
    return ((obj.get("metadata") or {}).get("purchase_token") or obj.get("client_reference_id")
            or (details.get("metadata") or {}).get("purchase_token"))


def _period_end(obj: dict[str, Any]) -> date | None:
    """The last day a subscription's invoice (or the subscription itself) paid for, in UTC."""
    end = obj.get("current_period_end") or obj.get("period_end")
    lines = (obj.get("lines") or {}).get("data") or []
    if lines and isinstance(lines[0].get("period"), dict):
        end = lines[0]["period"].get("end", end)
    if not isinstance(end, int):
        return None
    return (datetime.fromtimestamp(end, UTC) - timedelta(seconds=1)).date()


async def _purchase_of(session: AsyncSession, obj: dict[str, Any]) -> tuple[Purchase, Business] | None:
    """The purchase an event's object names: our token in its metadata, or its checkout session or payment intent."""
    token = _token(obj)
    keys = [Purchase.token == token] if isinstance(token, str) else []
    if isinstance(obj.get("id"), str) and obj["id"].startswith("cs_"):
        keys.append(Purchase.checkout_session_id == obj["id"])
    if isinstance(obj.get("payment_intent"), str):
        keys.append(Purchase.payment_intent_id == obj["payment_intent"])
    if not keys:
        return None
    row = (await session.execute(select(Purchase, Business).join(Business, Business.id == Purchase.business_id)
                                 .where(or_(*keys)).limit(1))).first()
    return (row[0], row[1]) if row else None
