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
class PlanOrder:
    """A studio subscribing to (or moving to) one of FitZap's plans, billed on the platform's own account."""

    business_id: int
    plan: str
    label: str  # what the studio reads on the checkout, e.g. "FitZap Pro"
    amount_cents: int  # a month
    currency: str
    price_id: str | None  # the platform's Stripe Price, when configured
    metadata: dict[str, str]
    customer: str | None  # the studio's Stripe customer from an earlier subscription
    email: str
    success_url: str
    cancel_url: str
    locale: str


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

    async def plan_checkout(self, order: PlanOrder) -> CheckoutLink:
        """A checkout that starts the studio's monthly subscription to a plan."""
        ...

    async def change_plan(self, subscription_id: str, order: PlanOrder) -> None:
        """Move the studio's subscription to another paid plan, prorated."""
        ...

    async def cancel_plan(self, subscription_id: str) -> None:
        """End the studio's subscription when its paid month is over."""
        ...


def pays_with(currency: str, recurring: bool = False) -> list[str]:
    """The payment methods a checkout offers: PIX beside the card for Brazilian reais (not for subscriptions,
    which PIX cannot renew)."""
    return ["card", "pix"] if currency.upper() == "BRL" and not recurring else ["card"]
