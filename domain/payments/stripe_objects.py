"""Reading Stripe's event objects, whichever API version wrote them: shared by the studios' sales and the platform's plans."""
from __future__ import annotations

from typing import Any


def invoice_subscription(obj: dict[str, Any]) -> str | None:
    """An invoice's subscription: top level in older API versions, under parent.subscription_details in newer."""
    found = obj.get("subscription") or ((obj.get("parent") or {}).get("subscription_details") or {}).get("subscription")
    return found if isinstance(found, str) else None


def subscription_of(obj: dict[str, Any]) -> str | None:
    """The subscription an event's object is (a subscription) or belongs to (an invoice, a checkout)."""
    found = obj.get("id") if obj.get("object") == "subscription" else invoice_subscription(obj)
    return found if isinstance(found, str) else None
