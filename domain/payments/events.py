"""Stripe's events, applied to purchases: each event id once, in any order.

The web edge stores a verified event (`store`); a worker applies it (`apply`) in the transaction
that marks it processed, so a crash in between leaves it to be applied again, never twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business, PaymentEvent, Purchase
from domain.payments import purchases
from domain.payments.purchases import Paid
from domain.sql.upsert import insert_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Applied:
    """What an event did, for the chat and the team to be told."""

    outcome: str  # paid | awaiting | expired | failed | refunded | unchanged | ignored
    business: Business | None = None
    purchase: Purchase | None = None
    paid: Paid | None = None
    credits_taken: int = 0


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


async def pending_since(session: AsyncSession, before: datetime) -> int:
    """How many events received before `before` still wait (the sweeper wakes the worker for them)."""
    stmt = select(PaymentEvent.id).where(PaymentEvent.processed_at.is_(None), PaymentEvent.received_at < before).limit(1)
    return len((await session.execute(stmt)).all())


def mark_processed(event: PaymentEvent, applied: Applied, now: datetime) -> None:
    event.processed_at, event.outcome = now, applied.outcome


async def apply(session: AsyncSession, event: PaymentEvent, now: datetime) -> Applied:
    """Apply one event to the purchase it concerns."""
    obj: dict[str, Any] = event.payload.get("data", {}).get("object", {})
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


async def _purchase_of(session: AsyncSession, obj: dict[str, Any]) -> tuple[Purchase, Business] | None:
    """The purchase an event's object names: our token in its metadata, or its checkout session or payment intent."""
    token = (obj.get("metadata") or {}).get("purchase_token") or obj.get("client_reference_id")
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
