"""Stripe Checkout through stripe-python on its HTTPX client (so tests intercept it with respx).

Direct charges: with Connect, each session is created on the business's connected account
(the `Stripe-Account` header), with the platform's fee taken as an application fee.
"""
from __future__ import annotations

from typing import Any

import stripe

from gateways.base import CheckoutLink, CheckoutOrder, PlanOrder, ProviderError, pays_with

CHECKOUT_LIFETIME_S = 60 * 60  # Stripe's shortest allowed: 30 minutes


class StripeGateway:
    def __init__(self, secret_key: str, platform_fee_percent: float = 0.0) -> None:
        self._client = stripe.StripeClient(secret_key, http_client=stripe.HTTPXClient(), max_network_retries=2)
        self._fee_percent = platform_fee_percent

    async def checkout(self, order: CheckoutOrder) -> CheckoutLink:
        tagged: dict[str, Any] = {"metadata": {"purchase_token": order.purchase_token}}
        price: dict[str, Any] = {"currency": order.currency.lower(), "unit_amount": order.amount_cents,
                                 "product_data": {"name": order.product_name}}
        if order.recurring:  # a membership: a subscription that renews itself
            price["recurring"] = {"interval": "year" if order.recurring == "year" else "month",
                                  "interval_count": 3 if order.recurring == "quarter" else 1}
            if self._fee_percent and order.account:
                tagged["application_fee_percent"] = self._fee_percent
        elif (fee := round(order.amount_cents * self._fee_percent / 100)) and order.account:
            tagged["application_fee_amount"] = fee
        params: dict[str, Any] = {
            "mode": "subscription" if order.recurring else "payment",
            "line_items": [{"quantity": 1, "price_data": price}],
            "payment_method_types": pays_with(order.currency, recurring=order.recurring is not None),
            "client_reference_id": order.purchase_token,
            "metadata": {"purchase_token": order.purchase_token},
            "subscription_data" if order.recurring else "payment_intent_data": tagged,
            "success_url": order.success_url,
            "cancel_url": order.cancel_url,
            "locale": "pt-BR" if order.locale == "pt-BR" else "en",
        }
        try:
            session = await self._client.v1.checkout.sessions.create_async(params, _options(order.account))  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not start the payment") from error
        return CheckoutLink(session.id, session.url or "")

    async def onboarding(self, account: str | None, return_url: str) -> tuple[str, str]:
        try:
            if account is None:
                account = (await self._client.v1.accounts.create_async({"type": "standard"})).id
            link = await self._client.v1.account_links.create_async(
                {"account": account, "type": "account_onboarding", "refresh_url": return_url, "return_url": return_url})
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not start the onboarding") from error
        return account, link.url

    async def card_update(self, account: str | None, customer: str, return_url: str) -> str:
        try:
            portal = await self._client.v1.billing_portal.sessions.create_async({"customer": customer, "return_url": return_url},
                                                                                _options(account))  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not open the card page") from error
        return portal.url

    async def refund(self, account: str | None, payment_intent_id: str) -> None:
        try:
            await self._client.v1.refunds.create_async({"payment_intent": payment_intent_id}, _options(account))  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe refused the refund") from error


    async def plan_checkout(self, order: PlanOrder) -> CheckoutLink:
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"quantity": 1, **_plan_price(order)}],
            "client_reference_id": f"plan:{order.business_id}",
            "metadata": order.metadata,
            "subscription_data": {"metadata": order.metadata},
            "success_url": order.success_url,
            "cancel_url": order.cancel_url,
            "locale": "pt-BR" if order.locale == "pt-BR" else "en",
        }
        params.update({"customer": order.customer} if order.customer else {"customer_email": order.email})
        try:
            session = await self._client.v1.checkout.sessions.create_async(params)  # type: ignore[arg-type]
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not start the subscription") from error
        return CheckoutLink(session.id, session.url or "")

    async def change_plan(self, subscription_id: str, order: PlanOrder) -> None:
        try:
            current = await self._client.v1.subscriptions.retrieve_async(subscription_id)
            item = current["items"]["data"][0]
            price = _plan_price(order, product=item["price"]["product"])
            await self._client.v1.subscriptions.update_async(subscription_id, {  # type: ignore[arg-type]
                "items": [{"id": item["id"], **price}], "metadata": order.metadata,
                "proration_behavior": "create_prorations", "cancel_at_period_end": False})
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not change the plan") from error

    async def cancel_plan(self, subscription_id: str) -> None:
        try:
            await self._client.v1.subscriptions.update_async(subscription_id, {"cancel_at_period_end": True})
        except stripe.StripeError as error:
            raise ProviderError(error.user_message or "Stripe could not cancel the plan") from error


def _plan_price(order: PlanOrder, product: str | None = None) -> dict[str, Any]:
    """The configured Price, else one made inline: a new checkout names its product, an item's update reuses its own."""
    if order.price_id:
        return {"price": order.price_id}
    data: dict[str, Any] = {"currency": order.currency.lower(), "unit_amount": order.amount_cents,
                            "recurring": {"interval": "month"}}
    data.update({"product": product} if product else {"product_data": {"name": order.label}})
    return {"price_data": data}


def _options(account: str | None) -> dict[str, Any]:
    return {"stripe_account": account} if account else {}
