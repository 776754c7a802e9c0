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
    recurring: str | None = None  # a membership's period (month | quarter | year): a subscription


@dataclass(frozen=True)
class CheckoutLink:
    session_id: str
    url: str


class ProviderError(Exception):
    """The provider refused or could not be reached; the message says which, for a person."""


class Gateway(Protocol):
    async def checkout(self, order: CheckoutOrder) -> CheckoutLink: ...

    async def refund(self, account: str | None, payment_intent_id: str) -> None: ...

    async def onboarding(self, account: str | None, return_url: str) -> tuple[str, str]:
        """The business's connected account (made when it has none) and the link that sets it up."""
        ...

    async def card_update(self, account: str | None, customer: str, return_url: str) -> str:
        """Where a subscriber updates their card (Stripe's customer portal)."""
        ...


def pays_with(currency: str, recurring: bool = False) -> list[str]:
    """The payment methods a checkout offers: PIX beside the card for Brazilian reais (not for subscriptions,
    which PIX cannot renew)."""
    return ["card", "pix"] if currency.upper() == "BRL" and not recurring else ["card"]
