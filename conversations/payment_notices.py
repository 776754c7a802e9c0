"""What the chat tells a client when a payment event lands: paid (with the new balance or plan and the
receipt link), waiting for a PIX, expired or failed, refunded. A booking the client was making when
the bot offered the products is made once the payment is in."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from conversations import reply_ids as ids
from conversations.email_texts import payment_link
from conversations.money import money
from conversations.reach import reach
from conversations.team_notices import tell
from domain.automation.digest_data import owner_contacts
from domain.errors import DomainError
from domain.messaging import emails
from domain.models import Booking, Business, Client, Purchase
from domain.payments.events import Applied
from domain.payments.products import product_name
from domain.scheduling import credits, holds
from domain.scheduling.appointment_details import appointment_details
from domain.scheduling.catalog import get_scoped

HELD = "held"  # held:<booking>, a time held for the payment
PayLinkSent = Literal["whatsapp", "email"] | None


async def send_pay_link(session: AsyncSession, business: Business, purchase: Purchase, product: str, link: str,
                        now: datetime, *, email: bool) -> PayLinkSent:
    """`link` to pay for `product` (its name), queued for the client: the chat's payment message if they wrote in the
    last 24 hours; else, no approved template carrying a link, to their email when they gave one and `email` is on.
    Where it went, or None."""
    client = await get_scoped(session, Client, business.id, purchase.client_id)
    if client.erased_at is not None:
        return None
    locale = client.locale or business.locale
    price = money(purchase.amount_cents, purchase.currency, locale)
    if (await reach(session, business, client, now, "pay_link")).inside_window:
        await tell(session, business, client.id, now, "pay_link", product=product, price=price, link=link,
                   pix=purchase.currency == "BRL")
        return "whatsapp"
    if email and client.email:
        await emails.queue(session, business.id, payment_link(client.email, client.profile_name or "", business.name, product,
                                                              price, link, locale), now)
        return "email"
    return None


async def tell_client(session: AsyncSession, applied: Applied, now: datetime, public_url: str) -> set[int]:
    """Queue the client's messages for what the event did; returns the clients to deliver to."""
    business, purchase = applied.business, applied.purchase
    if business is None or applied.outcome in ("unchanged", "ignored", "dunning"):  # dunning is due work (day 0, 3, 7)
        return set()
    if applied.membership is not None:
        plan = applied.membership
        until = plan.ends_on.strftime("%d/%m/%Y")
        message = "plan_renewed" if applied.outcome == "renewed" else "plan_ending"
        sent = await tell(session, business, plan.client_id, now, message, plan=plan.plan_name, until=until)
        return {plan.client_id} if sent else set()
    if purchase is None:
        return set()
    product = await product_name(session, purchase.product_id)
    client = await get_scoped(session, Client, business.id, purchase.client_id)
    price = money(purchase.amount_cents, purchase.currency, client.locale or business.locale)
    receipt = f"{public_url}/pay/{purchase.token}"
    if applied.outcome == "paid" and applied.paid is not None:
        paid = applied.paid
        if paid.membership_until:
            until = date.fromisoformat(paid.membership_until).strftime("%d/%m/%Y")
            sent = await tell(session, business, purchase.client_id, now, "paid_membership", product=product, price=price,
                              until=until, receipt=receipt)
        else:
            left = await credits.balance(session, business.id, purchase.client_id)
            expiry = paid.expires_at.strftime("%d/%m/%Y") if paid.expires_at else ""
            sent = await tell(session, business, purchase.client_id, now, "paid_credits", product=product, price=price,
                              balance=left, expires=expiry, receipt=receipt)
        if purchase.resume_booking:
            await _resume_booking(session, business, purchase, now)
    elif applied.outcome == "refunded":
        sent = await tell(session, business, purchase.client_id, now, "payment_refunded", product=product, price=price,
                          taken=applied.credits_taken)
        owners = await _tell_owners(session, business, client, product, price, applied.credits_taken, now)
        return owners | ({purchase.client_id} if sent else set())
    else:  # awaiting | expired | failed
        sent = await tell(session, business, purchase.client_id, now, f"payment_{applied.outcome}", product=product, price=price)
    return {purchase.client_id} if sent else set()


async def _tell_owners(session: AsyncSession, business: Business, client: Client, product: str, price: str, taken: int,
                       now: datetime) -> set[int]:
    """Money taken back (a refund or a lost dispute) is news for the owners: each on the staff with a WhatsApp is told."""
    owners = await owner_contacts(session, business.id, now)
    for owner in owners:
        await tell(session, business, owner.id, now, "staff_refund_notice", client=client.profile_name or client.phone_e164 or "?",
                   product=product, price=price, taken=taken)
    return {owner.id for owner in owners}


async def hold_released(session: AsyncSession, held: Booking, now: datetime) -> None:
    """The time held for a payment was let go: the client is told, in case they still want it."""
    business = await get_scoped(session, Business, held.business_id, held.business_id)
    appointment, service, _ = await appointment_details(session, business.id, held.appointment_id)
    await tell(session, business, held.client_id, now, "hold_released", service=service.name, when=appointment.starts_at)


async def _resume_booking(session: AsyncSession, business: Business, purchase: Purchase, now: datetime) -> None:
    """Book the time (or class seat) held while the client paid; if the hold ran out first, say so."""
    assert purchase.resume_booking is not None
    name, parts = ids.split(purchase.resume_booking)
    try:
        async with session.begin_nested():
            if name != HELD:
                raise ValueError(f"nothing to resume in {purchase.resume_booking!r}")
            made = await holds.confirm_held(session, business.id, int(parts[0]), now)
    except (DomainError, ValueError):
        await tell(session, business, purchase.client_id, now, "resume_booking_failed")
        return
    appointment, service, trainer = await appointment_details(session, business.id, made.appointment_id)
    await tell(session, business, purchase.client_id, now, "booked_after_payment", service=service.name,
               when=appointment.starts_at, trainer=trainer.name)
