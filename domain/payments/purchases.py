"""Purchases: a client buys a product; once paid it gives credits or a membership, exactly once.

Every change to a purchase locks its row first, so two events completing the same purchase at
the same moment (a redelivery, or `completed` and `async_payment_succeeded` together) serialise
and the second finds it paid.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import PaymentError
from domain.models import Business, Client, Product, Purchase
from domain.payments.products import membership_ends_on
from domain.scheduling import credits, memberships
from domain.scheduling.catalog import get_scoped
from domain.webhooks import events as webhook_events

ONLINE_METHODS = ("card", "pix")
RECORDED_METHODS = ("cash", "pix_manual", "card_terminal", "other")
# A purchase can still be paid after its checkout expired or failed: the money came in.
PAYABLE = ("pending", "expired", "failed")


@dataclass(frozen=True)
class Paid:
    """What a purchase gave: credits (with their expiry) or a membership (with its last day)."""

    purchase: Purchase
    product: Product
    credits: int = 0
    expires_at: datetime | None = None
    membership_until: str | None = None  # ISO date


async def start(session: AsyncSession, business: Business, client_id: int, product_id: int, now: datetime, *,
                resume_booking: str | None = None) -> Purchase:
    """A pending purchase of an active product, with the secret token of its payment link."""
    product = await get_scoped(session, Product, business.id, product_id)
    if not product.active:
        raise PaymentError("that product is no longer sold")
    await get_scoped(session, Client, business.id, client_id)
    purchase = Purchase(business_id=business.id, client_id=client_id, product_id=product.id, amount_cents=product.price_cents,
                        currency=business.currency, status="pending", token=secrets.token_urlsafe(24),
                        resume_booking=resume_booking, created_at=now)
    session.add(purchase)
    await session.flush()
    return purchase


async def by_token(session: AsyncSession, token: str) -> Purchase | None:
    """The purchase a payment link names (the token is the secret: no business is known yet)."""
    return (await session.execute(select(Purchase).where(Purchase.token == token))).scalar_one_or_none()


async def attach_checkout(session: AsyncSession, purchase_id: int, checkout_session_id: str) -> None:
    """The provider's checkout opened for the purchase (the newest one, when the link is opened again)."""
    purchase = await locked(session, purchase_id)
    purchase.checkout_session_id = checkout_session_id
    await session.flush()


async def locked(session: AsyncSession, purchase_id: int) -> Purchase:
    """The purchase, re-read under its row lock."""
    stmt = select(Purchase).where(Purchase.id == purchase_id).with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one()


async def pay(session: AsyncSession, business: Business, purchase_id: int, now: datetime, *, method: str,
              payment_intent_id: str | None = None) -> Paid | None:
    """Mark the purchase paid and give what it bought; None when it was already paid or refunded."""
    purchase = await locked(session, purchase_id)
    if purchase.business_id != business.id:
        raise PaymentError("that purchase belongs to another business")
    if purchase.status not in PAYABLE:
        return None
    product = await session.get(Product, purchase.product_id)
    assert product is not None
    purchase.status, purchase.method, purchase.paid_at, purchase.ended_at = "paid", method, now, None
    purchase.payment_intent_id = payment_intent_id or purchase.payment_intent_id
    await webhook_events.payment_event(session, purchase, now)
    if product.kind == "membership":
        assert product.period is not None
        today = now.astimezone(ZoneInfo(business.timezone)).date()
        ends_on = membership_ends_on(today, product.period)
        plan = await memberships.add_membership(session, business.id, purchase.client_id, product.name, today, ends_on, now,
                                                sessions_per_week=product.sessions_per_week)
        purchase.membership_id = plan.id
        await session.flush()
        return Paid(purchase, product, membership_until=ends_on.isoformat())
    expires_at = now + timedelta(days=product.validity_days) if product.validity_days else None
    pack = await credits.add_pack(session, business.id, purchase.client_id, product.credits or 1, now, expires_at=expires_at,
                                  note=product.name[:200])
    purchase.pack_entry_id = pack.id
    await session.flush()
    return Paid(purchase, product, credits=product.credits or 1, expires_at=expires_at)


async def end_unpaid(session: AsyncSession, purchase_id: int, status: str, now: datetime) -> bool:
    """A checkout that expired or whose payment failed; False when the purchase was no longer pending."""
    purchase = await locked(session, purchase_id)
    if purchase.status != "pending":
        return False
    purchase.status, purchase.ended_at = status, now
    await session.flush()
    return True


async def refund(session: AsyncSession, business_id: int, purchase_id: int, now: datetime, reason: str) -> int | None:
    """Take back what a refunded (or lost-dispute) purchase gave that is still unused; returns the credits
    taken, or None when it was already refunded. A purchase refunded before its payment was seen never gives anything."""
    purchase = await locked(session, purchase_id)
    if purchase.business_id != business_id:
        raise PaymentError("that purchase belongs to another business")
    if purchase.status == "refunded":
        return None
    taken = 0
    if purchase.pack_entry_id is not None:
        taken = await credits.take_back_pack(session, business_id, purchase.pack_entry_id, now, note=reason)
    if purchase.membership_id is not None:
        await memberships.cancel_membership(session, business_id, purchase.membership_id)
    purchase.status, purchase.ended_at = "refunded", now
    await session.flush()
    return taken


async def record_payment(session: AsyncSession, business: Business, client_id: int, product_id: int, now: datetime, *,
                         method: str, recorded_by: int | None, note: str | None = None) -> Paid:
    """Staff received the money outside Stripe (cash, PIX to the studio's key): the purchase is paid at once.
    `recorded_by` is the panel user; None when the studio's own system recorded it through the API."""
    if method not in RECORDED_METHODS:
        raise PaymentError(f"unknown payment method {method!r}")
    purchase = await start(session, business, client_id, product_id, now)
    purchase.recorded_by, purchase.note = recorded_by, note
    paid = await pay(session, business, purchase.id, now, method=method)
    assert paid is not None
    return paid


async def of_client(session: AsyncSession, business_id: int, client_id: int) -> list[tuple[Purchase, Product]]:
    """The client's purchases, newest first, with their products."""
    stmt = (select(Purchase, Product).join(Product, Product.id == Purchase.product_id)
            .where(Purchase.business_id == business_id, Purchase.client_id == client_id)
            .order_by(Purchase.created_at.desc(), Purchase.id.desc()))
    return [(p, product) for p, product in (await session.execute(stmt)).all()]
