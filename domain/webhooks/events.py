"""Emitting an event: one delivery row for each of the business's active endpoints that subscribed to it, written in
the transaction of the change it tells about (a change rolled back tells nothing; one committed is never lost).
Nothing here talks HTTP: a worker sends the rows (workers.webhooks)."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Appointment, Booking, CheckIn, Membership, Purchase, WebhookDelivery, WebhookEndpoint
from domain.sql.direct import fetch


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def payload(event_type: str, event_id: str, business_id: int, data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The body a receiver gets."""
    return {"id": event_id, "type": event_type, "created_at": _iso(now), "business_id": business_id, "data": data}


# Read with every booking, move, cancel, check-in and payment, so straight on the driver (domain.sql.direct).
_ENDPOINTS = select(WebhookEndpoint.id, WebhookEndpoint.events).where(WebhookEndpoint.business_id == bindparam("business_id"),
                                                                      WebhookEndpoint.active.is_(True))


async def emit(session: AsyncSession, business_id: int, event_type: str, data: dict[str, Any], now: datetime) -> int:
    """Owe the event to every active endpoint of the business subscribed to it; returns how many deliveries."""
    rows = await fetch(session, _ENDPOINTS, {"business_id": business_id})
    endpoint_ids = [endpoint_id for endpoint_id, events in rows if event_type in (events or [])]
    if not endpoint_ids:
        return 0
    event_id = str(uuid.uuid4())
    body = payload(event_type, event_id, business_id, data, now)
    session.add_all([WebhookDelivery(endpoint_id=endpoint_id, business_id=business_id, event_type=event_type,
                                     event_id=event_id, payload=body, status="pending", attempts=0, next_attempt_at=now,
                                     created_at=now) for endpoint_id in endpoint_ids])
    return len(endpoint_ids)


def booking_data(booking: Booking, appointment: Appointment) -> dict[str, Any]:
    return {"booking_id": booking.id, "client_id": booking.client_id, "status": booking.status,
            "appointment_id": appointment.id, "kind": appointment.kind, "service_id": appointment.service_id,
            "staff_id": appointment.staff_id, "starts_at": _iso(appointment.starts_at), "ends_at": _iso(appointment.ends_at)}


async def booking_event(session: AsyncSession, event_type: str, booking: Booking, now: datetime,
                        extra: dict[str, Any] | None = None) -> int:
    """booking.created | booking.moved | booking.cancelled for this booking (its appointment read as it is now)."""
    appointment = await session.get(Appointment, booking.appointment_id)
    assert appointment is not None
    return await emit(session, booking.business_id, event_type, {**booking_data(booking, appointment), **(extra or {})}, now)


async def checkin_event(session: AsyncSession, visit: CheckIn, now: datetime) -> int:
    return await emit(session, visit.business_id, "checkin.created",
                      {"checkin_id": visit.id, "client_id": visit.client_id, "booking_id": visit.booking_id,
                       "method": visit.method, "checked_in_at": _iso(visit.checked_in_at)}, now)


async def payment_event(session: AsyncSession, purchase: Purchase, now: datetime) -> int:
    return await emit(session, purchase.business_id, "payment.succeeded",
                      {"purchase_id": purchase.id, "client_id": purchase.client_id, "product_id": purchase.product_id,
                       "amount_cents": purchase.amount_cents, "currency": purchase.currency, "method": purchase.method,
                       "paid_at": _iso(purchase.paid_at)}, now)


async def renewal_event(session: AsyncSession, plan: Membership, purchase: Purchase | None, now: datetime, *,
                        amount_cents: object, currency: object, invoice_id: object) -> int:
    """payment.succeeded for a membership's renewal (a paid invoice of its subscription): the shape of a one-off
    payment's, naming the purchase that began the plan, plus the membership and how long it now runs."""
    amount = amount_cents if isinstance(amount_cents, int) else (purchase.amount_cents if purchase else None)
    code = currency.upper() if isinstance(currency, str) and currency else (purchase.currency if purchase else None)
    return await emit(session, plan.business_id, "payment.succeeded",
                      {"purchase_id": purchase.id if purchase else None, "client_id": plan.client_id,
                       "product_id": purchase.product_id if purchase else None, "amount_cents": amount, "currency": code,
                       "method": "card", "paid_at": _iso(now), "renewal": True, "membership_id": plan.id,
                       "membership_ends_on": _iso(plan.ends_on),
                       "invoice_id": invoice_id if isinstance(invoice_id, str) else None}, now)


async def at_risk_event(session: AsyncSession, business_id: int, client_id: int, risk: float, reasons: list[str],
                        scored_on: date, now: datetime) -> int:
    return await emit(session, business_id, "client.at_risk",
                      {"client_id": client_id, "risk": risk, "reasons": reasons, "scored_on": _iso(scored_on)}, now)


async def subscribed(session: AsyncSession, business_id: int, event_type: str) -> bool:
    """Whether any active endpoint of the business wants this event (to skip work no one would receive)."""
    stmt = select(WebhookEndpoint.events).where(WebhookEndpoint.business_id == business_id, WebhookEndpoint.active.is_(True))
    return any(event_type in (events or []) for events in (await session.execute(stmt)).scalars().all())
