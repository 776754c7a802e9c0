"""The demo's payments: a checkout page of its own, and events signed the way Stripe signs them.

Nothing leaves the machine: the checkout link points at the demo's own address, and paying there
posts a Stripe-shaped event to the demo's own `POST /webhooks/stripe`, checked like a real one.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from gateways.base import CheckoutLink, CheckoutOrder

SESSION_PREFIX = "cs_sandbox_"


class SandboxGateway:
    def __init__(self, public_url: str) -> None:
        self._public_url = public_url

    async def checkout(self, order: CheckoutOrder) -> CheckoutLink:
        session_id = SESSION_PREFIX + order.purchase_token
        return CheckoutLink(session_id, f"{self._public_url}/sandbox/checkout/{session_id}")

    async def refund(self, account: str | None, payment_intent_id: str) -> None:
        """Nothing to call: the panel posts the `charge.refunded` event itself (`refund_event`)."""


def event(kind: str, obj: dict[str, Any], account: str | None = None) -> dict[str, Any]:
    """A Stripe-shaped event around `obj`."""
    return {"id": "evt_sandbox_" + secrets.token_hex(12), "object": "event", "type": kind, "created": int(time.time()),
            "account": account, "livemode": False, "data": {"object": obj}}


def checkout_object(session_id: str, purchase_token: str, amount_cents: int, currency: str, *, paid: bool) -> dict[str, Any]:
    return {"id": session_id, "object": "checkout.session", "client_reference_id": purchase_token,
            "metadata": {"purchase_token": purchase_token}, "amount_total": amount_cents, "currency": currency.lower(),
            "payment_status": "paid" if paid else "unpaid", "payment_intent": "pi_sandbox_" + purchase_token}


def refund_object(purchase_token: str, amount_cents: int, currency: str) -> dict[str, Any]:
    return {"id": "ch_sandbox_" + purchase_token, "object": "charge", "metadata": {"purchase_token": purchase_token},
            "payment_intent": "pi_sandbox_" + purchase_token, "amount": amount_cents, "amount_refunded": amount_cents,
            "currency": currency.lower(), "refunded": True}


def signed(payload: dict[str, Any], secret: str, at: int | None = None) -> tuple[bytes, str]:
    """The body and its `Stripe-Signature` header: v1 is HMAC-SHA256 of "<t>.<body>" under the endpoint secret.
    stripe-python verifies signatures but has no public way to make one, so it is written here."""
    body = json.dumps(payload).encode()
    stamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={stamp},v1={mac}"
