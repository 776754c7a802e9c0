"""What FitZap asks of a payment provider: a checkout for one purchase, and a refund."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CheckoutOrder:
    """One purchase to be paid on the provider's page."""

    purchase_token: str
    product_name: str
    amount_cents: int
    currency: str  # ISO 4217, e.g. "BRL"
    account: str | None  # the business's connected account; None charges the platform's own
    success_url: str
    cancel_url: str
    locale: str  # pt-BR | en


@dataclass(frozen=True)
class CheckoutLink:
    session_id: str
    url: str


class PaymentError(Exception):
    """The provider refused or could not be reached; the message says which, for a person."""


class Gateway(Protocol):
    async def checkout(self, order: CheckoutOrder) -> CheckoutLink: ...

    async def refund(self, account: str | None, payment_intent_id: str) -> None: ...

    async def onboarding(self, account: str | None, return_url: str) -> tuple[str, str]:
        """The business's connected account (made when it has none) and the link that sets it up."""
        ...


def pays_with(currency: str) -> list[str]:
    """The payment methods a checkout offers: PIX beside the card for Brazilian reais."""
    return ["card", "pix"] if currency.upper() == "BRL" else ["card"]
