"""Credits (a client's balance and ledger, adding a pack), and purchases: by day, and a new one, either as the chat's
payment link or recorded as paid at the desk (the panel's "record a payment")."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from api.operations import Call, Operation
from api.problems import Problem
from api.resources.common import after_time_cursor, business_of, page, within
from api.schemas import CreditEntryOut, CreditPackIn, CreditsOut, PurchaseIn, PurchaseOut, PurchasePage, PurchaseQuery
from conversations.payment_notices import PayLinkSent, send_pay_link
from domain.models import CreditEntry, Purchase
from domain.payments import products, purchases
from domain.scheduling import credits
from runtime.resources import Runtime


def _entry(e: CreditEntry) -> CreditEntryOut:
    return CreditEntryOut(id=e.id, kind=e.kind, delta=e.delta, expires_at=e.expires_at, note=e.note, booking_id=e.booking_id,
                          created_at=e.created_at)


async def get_credits(call: Call[None, None]) -> CreditsOut:
    client_id = call.ids["client_id"]
    async with call.runtime.sessions() as session:
        entries = await credits.history(session, call.business_id, client_id)  # NotFound for another business's client
        balance = await credits.balance(session, call.business_id, client_id)
    return CreditsOut(client_id=client_id, balance=balance, entries=[_entry(e) for e in entries])


async def add_pack(call: Call[None, CreditPackIn]) -> CreditsOut:
    client_id, body = call.ids["client_id"], call.body
    async with call.runtime.sessions.begin() as session:
        await credits.add_pack(session, call.business_id, client_id, body.credits, call.runtime.clock.now(),
                               expires_at=body.expires_at, note=body.note)
    return await get_credits(call)


async def list_purchases(call: Call[PurchaseQuery, None]) -> PurchasePage:
    q = call.query
    async with call.runtime.sessions() as session:
        business = await business_of(session, call.business_id)
        filters: list[Any] = [Purchase.business_id == call.business_id, *within(Purchase.created_at, business, q),
                              *after_time_cursor(Purchase.created_at, Purchase.id, q.cursor)]
        if q.client_id:
            filters.append(Purchase.client_id == q.client_id)
        rows = (await session.execute(select(Purchase).where(*filters).order_by(Purchase.created_at, Purchase.id)
                                      .limit(q.limit + 1))).scalars().all()
    shown, cursor = page(rows, q.limit, lambda p: (p.created_at, p.id))
    return PurchasePage(data=[purchase_out(p, call.runtime) for p in shown], next_cursor=cursor)


def purchase_out(p: Purchase, runtime: Runtime) -> PurchaseOut:
    base = runtime.pay_links
    link = f"{base}/pay/{p.token}" if base is not None and p.status in purchases.PAYABLE else None
    return PurchaseOut(id=p.id, client_id=p.client_id, product_id=p.product_id, status=p.status, method=p.method,
                       amount_cents=p.amount_cents, currency=p.currency, payment_url=link, created_at=p.created_at,
                       paid_at=p.paid_at)


async def create_purchase(call: Call[None, PurchaseIn]) -> PurchaseOut:
    """A payment link (the chat's checkout: Stripe's page opens from it) or money taken at the desk, paid at once."""
    body, runtime = call.body, call.runtime
    now = runtime.clock.now()
    if body.paid_with == "link" and runtime.pay_links is None:
        raise Problem(409, "payments_off", "This server takes no online payments; record money taken at the desk with "
                                           "`paid_with` (cash, pix_manual, card_terminal or other).")
    async with runtime.sessions.begin() as session:
        business = await business_of(session, call.business_id)
        sent: PayLinkSent = None
        if body.paid_with == "link":
            purchase = await purchases.start(session, business, body.client_id, body.product_id, now)
            answer = purchase_out(purchase, runtime)
            if body.notify_client and answer.payment_url is not None:
                sent = await send_pay_link(session, business, purchase, await products.product_name(session, purchase.product_id),
                                           answer.payment_url, now, email=runtime.mailer is not None)
        else:
            paid = await purchases.record_payment(session, business, body.client_id, body.product_id, now,
                                                  method=body.paid_with, recorded_by=None, note=body.note)
            answer = purchase_out(paid.purchase, runtime)
    if sent == "whatsapp":
        await runtime.wake.deliver([body.client_id])
    elif sent == "email":
        await runtime.wake.mail()
    return answer.model_copy(update={"link_sent_to": sent})


OPERATIONS = [
    Operation("GET", "/clients/{client_id}/credits", "getCredits", "A client's credit balance and ledger", "credits",
              get_credits, CreditsOut, example_ids={"client_id": 1}, errors=(404,)),
    Operation("POST", "/clients/{client_id}/credits", "addCreditPack", "Add a pack of credits (paid at the studio)", "credits",
              add_pack, CreditsOut, status=201, body=CreditPackIn, example_ids={"client_id": 1},
              example_body={"credits": 10, "expires_at": "2027-03-01T00:00:00-03:00", "note": "pacote 10 aulas"}, errors=(404,)),
    Operation("GET", "/purchases", "listPurchases", "Purchases (packs, plans, drop-ins) by day", "credits", list_purchases,
              PurchasePage, query=PurchaseQuery, example_query={"from": "2026-11-01", "to": "2026-11-30"}),
    Operation("POST", "/purchases", "createPurchase", "Sell a product: a payment link, or money taken at the desk", "credits",
              create_purchase, PurchaseOut, status=201, body=PurchaseIn, errors=(404, 409),
              example_body={"client_id": 1, "product_id": 1, "paid_with": "cash", "note": "recepção"}),
]
