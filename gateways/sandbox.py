"""The demo's payments: a checkout page of its own, and events signed the way Stripe signs them.

Nothing leaves the machine: the checkout link points at the demo's own address (PUBLIC_URL, which
the demo sets to where it listens), and paying there or refunding from the panel posts a
Stripe-shaped event to the demo's own `POST /webhooks/stripe`, checked like a real one.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx

from gateways.base import CheckoutLink, CheckoutOrder, PlanOrder, ProviderError

SESSION_PREFIX = "cs_sandbox_"
PLAN_SESSION_PREFIX = "cs_sandbox_plan_"
INTENT_PREFIX = "pi_sandbox_"


class SandboxGateway:
    def __init__(self, public_url: str, webhook_secret: str) -> None:
        self._public_url, self._secret = public_url, webhook_secret

    async def checkout(self, order: CheckoutOrder) -> CheckoutLink:
        session_id = SESSION_PREFIX + order.purchase_token
        return CheckoutLink(session_id, f"{self._public_url}/sandbox/checkout/{session_id}")

    async def refund(self, account: str | None, payment_intent_id: str) -> None:
        token = payment_intent_id.removeprefix(INTENT_PREFIX)
        await self.send(event("charge.refunded", refund_object(token), account))

    async def onboarding(self, account: str | None, return_url: str) -> tuple[str, str]:
        """The sandbox needs no account: the demo's events come from the platform itself."""
        raise ProviderError("the demo's sandbox needs no Stripe account")

    async def card_update(self, account: str | None, customer: str, return_url: str) -> str:
        """The demo has no cards to update: back to the purchase's page."""
        return return_url

    async def plan_checkout(self, order: PlanOrder) -> CheckoutLink:
        """The demo's own plan checkout page (bot.sandbox_plan_checkout); the session id carries the studio and plan."""
        session_id = f"{PLAN_SESSION_PREFIX}{order.business_id}_{order.plan}_{secrets.token_hex(6)}"
        return CheckoutLink(session_id, f"{self._public_url}/sandbox/plan-checkout/{session_id}")

    async def change_plan(self, subscription_id: str, order: PlanOrder) -> None:
        await self.send(event("customer.subscription.updated", subscription_object(subscription_id, order.metadata)))

    async def cancel_plan(self, subscription_id: str) -> None:
        """The demo has no paid months to run out: the plan ends at once."""
        await self.send(event("customer.subscription.deleted", subscription_object(subscription_id, {}, status="canceled")))

    async def send(self, payload: dict[str, Any]) -> None:
        """Post the event, signed, to our own Stripe webhook; ProviderError unless it was taken."""
        body, signature = signed(payload, self._secret)
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                response = await http.post(f"{self._public_url}/webhooks/stripe", content=body,
                                           headers={"Content-Type": "application/json", "Stripe-Signature": signature})
        except httpx.HTTPError as error:
            raise ProviderError(f"the sandbox could not reach its own webhook: {error}") from error
        if response.status_code != 200:
            raise ProviderError(f"the webhook answered {response.status_code}")


def event(kind: str, obj: dict[str, Any], account: str | None = None) -> dict[str, Any]:
    """A Stripe-shaped event around `obj`."""
    return {"id": "evt_sandbox_" + secrets.token_hex(12), "object": "event", "type": kind, "created": int(time.time()),
            "account": account, "livemode": False, "data": {"object": obj}}


def checkout_object(session_id: str, purchase_token: str, amount_cents: int, currency: str, *, paid: bool) -> dict[str, Any]:
    return {"id": session_id, "object": "checkout.session", "client_reference_id": purchase_token,
            "metadata": {"purchase_token": purchase_token}, "amount_total": amount_cents, "currency": currency.lower(),
            "payment_status": "paid" if paid else "unpaid", "payment_intent": INTENT_PREFIX + purchase_token}


def subscription_object(subscription_id: str, metadata: dict[str, str], status: str = "active") -> dict[str, Any]:
    return {"id": subscription_id, "object": "subscription", "status": status, "metadata": metadata,
            "customer": "cus_sandbox_" + subscription_id.removeprefix("sub_sandbox_"), "cancel_at_period_end": False}


def refund_object(purchase_token: str) -> dict[str, Any]:
    """A charge refunded in full (the amounts only need to be equal)."""
    return {"id": "ch_sandbox_" + purchase_token, "object": "charge", "metadata": {"purchase_token": purchase_token},
            "payment_intent": INTENT_PREFIX + purchase_token, "amount": 1, "amount_refunded": 1, "refunded": True}


def signed(payload: dict[str, Any], secret: str, at: int | None = None) -> tuple[bytes, str]:
    """The body and its `Stripe-Signature` header: v1 is HMAC-SHA256 of "<t>.<body>" under the endpoint secret.
    stripe-python verifies signatures but has no public way to make one, so it is written here."""
    body = json.dumps(payload).encode()
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"
