"""The platform's own subscriptions: which plan a studio pays FitZap for, kept in step with Stripe's events.

Plan events come to the same Stripe webhook as the studios' sales, from the platform's own account (no
`account`), and name the studio in the metadata FitZap put on the checkout and the subscription.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business
from domain.payments.stripe_objects import subscription_of
from domain.platform import plans
from domain.platform.plans import PLAN_NAMES, SIGNUP_PLAN

PLAN_KEY, BUSINESS_KEY = "fitzap_plan", "fitzap_business_id"


def metadata(business_id: int, plan: str) -> dict[str, str]:
    """What a plan's checkout and subscription carry, so their events find the studio."""
    return {PLAN_KEY: plan, BUSINESS_KEY: str(business_id)}


async def apply(session: AsyncSession, kind: str, obj: dict[str, Any]) -> str | None:
    """Apply a platform plan event; None when the event is not about a studio's plan (a studio's own sale)."""
    business = await _business_of(session, obj)
    if business is None:
        return None
    if kind == "checkout.session.completed":
        subscription = obj.get("subscription")
        if obj.get("payment_status") == "unpaid" or not isinstance(subscription, str):
            return "unchanged"
        _subscribed(business, _plan(obj) or business.plan, subscription, obj.get("customer"))
        return "plan_started"
    if kind in ("customer.subscription.created", "customer.subscription.updated"):
        if business.plan_subscription_id not in (None, obj.get("id")):
            return "ignored"  # an older subscription the studio replaced
        status = obj.get("status")
        if status in ("past_due", "unpaid"):
            business.plan_status = "past_due"
            return "plan_past_due"
        if status not in ("active", "trialing"):
            return "ignored"
        _subscribed(business, _plan(obj) or business.plan, str(obj["id"]), obj.get("customer"))
        if obj.get("cancel_at_period_end"):
            business.plan_status, business.plan_ends_on = "canceling", _period_end(obj)
        return "plan_changed"
    if kind == "customer.subscription.deleted":
        if business.plan_subscription_id != obj.get("id"):
            return "ignored"
        business.plan, business.plan_status, business.plan_subscription_id, business.plan_ends_on = (
            SIGNUP_PLAN, "active", None, None)
        return "plan_ended"
    if kind == "invoice.payment_failed":
        business.plan_status = "past_due"
        return "plan_past_due"
    if kind == "invoice.paid" and business.plan_status == "past_due":
        business.plan_status = "active"
        return "plan_paid"
    return "ignored"


def _subscribed(business: Business, plan: str, subscription: str, customer: object) -> None:
    business.plan, business.plan_status, business.plan_subscription_id, business.plan_ends_on = (
        plan, "active", subscription, None)
    if isinstance(customer, str):
        business.plan_customer_id = customer


async def _business_of(session: AsyncSession, obj: dict[str, Any]) -> Business | None:
    """The studio named by the object's plan metadata, or whose plan subscription the object is or belongs to."""
    meta = _metadata(obj)
    if isinstance(meta.get(BUSINESS_KEY), str) and meta[BUSINESS_KEY].isdigit():
        return await session.get(Business, int(meta[BUSINESS_KEY]))
    subscription = subscription_of(obj)
    if subscription is None:
        return None
    return (await session.execute(select(Business).where(Business.plan_subscription_id == subscription))).scalar_one_or_none()


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    details = obj.get("subscription_details") or ((obj.get("parent") or {}).get("subscription_details")) or {}
    return {**(details.get("metadata") or {}), **(obj.get("metadata") or {})}


def _plan(obj: dict[str, Any]) -> str | None:
    plan = _metadata(obj).get(PLAN_KEY)
    return plan if plan in PLAN_NAMES else None


def _period_end(obj: dict[str, Any]) -> date | None:
    """The subscription's last paid day: on the subscription in older API versions, on its items in newer ones."""
    end = obj.get("current_period_end") or obj.get("cancel_at")
    items = (obj.get("items") or {}).get("data") or []
    if not isinstance(end, int) and items:
        end = items[0].get("current_period_end")
    return (datetime.fromtimestamp(end, UTC) - timedelta(seconds=1)).date() if isinstance(end, int) else None


def change_kind(business: Business, target: str) -> str:
    """How the studio moves to `target`: same | set (no subscription involved) | checkout | change | cancel."""
    if target == business.plan and business.plan_status != "canceling":
        return "same"
    paid_target = plans.plan_by_name(target).price_cents > 0
    if business.plan_subscription_id is None:
        return "checkout" if paid_target else "set"
    return "change" if paid_target else "cancel"
