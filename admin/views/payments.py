"""The payments page (owners): purchases filtered by client, product, status and month, revenue per month,
refunds; and on the client page, "record a payment" for money received outside Stripe and "send a payment link"."""
from __future__ import annotations

import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from admin.charts import bar_chart
from admin.flash import flash
from admin.forms.form_errors import validate
from admin.forms.payments import PaymentLinkForm, RecordPaymentForm, filters_from
from admin.i18n import _, ngettext
from admin.i18n import money as panel_money
from admin.identity import require_owner
from admin.page_support import business_of, local_time, page_number
from admin.read_models.payments import PAGE_SIZE, STATUSES, overdue_memberships, payments, revenue_by_month
from admin.views.settings_support import form_data, not_found_as_404, row_id
from conversations.money import money
from conversations.payment_notices import send_pay_link
from conversations.team_notices import tell
from domain.errors import DomainError
from domain.models import Business, Client, Purchase
from domain.payments import products, purchases
from domain.scheduling.catalog import get_scoped
from gateways.base import ProviderError
from runtime.keys import RUNTIME

routes = web.RouteTableDef()


@routes.get("/admin/payments", name="payments")
async def payments_page(request: web.Request) -> web.Response:
    me, runtime = require_owner(request), request.app[RUNTIME]
    filters, errors = filters_from(dict(request.query))
    page = page_number(request)
    async with runtime.sessions() as session:
        business = await business_of(session, me)
        rows, total = await payments(session, me.business_id, business.timezone, filters, page)
        revenue = await revenue_by_month(session, me.business_id, business.timezone, runtime.clock.now().date())
        sold = await products.products_of(session, me.business_id)
        overdue = await overdue_memberships(session, me.business_id)
    chart = bar_chart([label for label, _cents in revenue], [(_("Paid"), [cents / 100 for _label, cents in revenue])])
    context: dict[str, Any] = {
        "rows": rows, "total": total, "page": page, "pages": max(1, math.ceil(total / PAGE_SIZE)), "filters": filters,
        "query": dict(request.query), "errors": errors, "products": sold, "statuses": STATUSES, "chart": chart,
        "at": local_time(business.timezone), "currency": business.currency,
        "revenue_total": sum(cents for _, cents in revenue), "overdue": overdue,
    }
    return aiohttp_jinja2.render_template("admin/payments.html", request, context, status=400 if errors else 200)


@routes.post(r"/admin/payments/{purchase_id:\d+}/refund", name="payment_refund")
async def refund(request: web.Request) -> web.Response:
    """Refund a paid purchase: through Stripe for an online payment (the credits go when Stripe confirms),
    at once for one staff recorded (the money goes back by hand)."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    await form_data(request)  # the CSRF check has read it; nothing else is posted
    async with runtime.sessions() as session:
        with not_found_as_404():
            purchase = await get_scoped(session, Purchase, me.business_id, row_id(request, "purchase_id"))
        business = await business_of(session, me)
    if purchase.status != "paid":
        flash(request, _("Only a paid purchase can be refunded."))
    elif purchase.method in purchases.ONLINE_METHODS:
        if runtime.gateway is None or purchase.payment_intent_id is None:
            flash(request, _("This server has no Stripe keys: refund it in Stripe's dashboard."))
        else:
            try:
                await runtime.gateway.refund(business.stripe_account_id, purchase.payment_intent_id)
            except ProviderError as error:
                flash(request, _("Stripe did not refund it: %(error)s", error=str(error)))
            else:
                flash(request, _("Refund sent to Stripe. The unused credits are taken back when Stripe confirms it."))
    else:
        async with runtime.sessions.begin() as session:
            taken = await purchases.refund(session, me.business_id, purchase.id, runtime.clock.now(), "refund recorded by staff")
            product = await products.product_name(session, purchase.product_id)
            await tell(session, business, purchase.client_id, runtime.clock.now(), "payment_refunded", product=product,
                       price=money(purchase.amount_cents, purchase.currency, business.locale), taken=taken or 0)
        flash(request, ngettext("Refunded: %(num)s unused credit taken back. Give the client the money back yourself.",
                             "Refunded: %(num)s unused credits taken back. Give the client the money back yourself.", taken or 0))
    raise web.HTTPFound(str(request.app.router["payments"].url_for()))


@routes.post(r"/admin/clients/{client_id:\d+}/payments", name="client_payment_record")
async def record_payment(request: web.Request) -> web.Response:
    """Staff received the money (cash, PIX to the studio's key): the client gets what they bought at once."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    client_id = row_id(request, "client_id")
    form, errors = validate(RecordPaymentForm, await form_data(request))
    back = str(request.app.router["client"].url_for(client_id=str(client_id)))
    if form is None:
        labels = {"product_id": _("Product"), "method": _("How"), "note": _("Note")}
        problems = "; ".join(f"{labels.get(k, k)}: {v}" for k, v in errors.items())
        flash(request, _("Nothing was recorded: %(problems)s", problems=problems))
        raise web.HTTPFound(back)
    now = runtime.clock.now()
    async with _selling(request, client_id, back, lambda problems: _("Nothing was recorded: %(problems)s",
                                                                      problems=problems)) as (session, business):
        paid = await purchases.record_payment(session, business, client_id, form.product_id, now, method=form.method,
                                              recorded_by=me.user_id, note=form.note or None)
    flash(request, _("Recorded %(name)s (%(price)s).", name=paid.product.name,
                     price=panel_money(paid.purchase.amount_cents, paid.purchase.currency)))
    raise web.HTTPFound(back)


@routes.post(r"/admin/clients/{client_id:\d+}/payment-link", name="client_payment_link")
async def send_payment_link(request: web.Request) -> web.Response:
    """A payment link for the client, sent where it can reach them (the chat, else their email), and shown to copy
    when neither can."""
    require_owner(request)
    runtime = request.app[RUNTIME]
    client_id = row_id(request, "client_id")
    form, errors = validate(PaymentLinkForm, await form_data(request))
    back = str(request.app.router["client"].url_for(client_id=str(client_id)))
    base = runtime.pay_links
    if form is None or base is None:
        flash(request, _("No payment link was made: %(problems)s", problems=_("choose a product.")) if form is None else
              _("This server takes no online payments: record the payment when the client pays at the studio."))
        raise web.HTTPFound(back)
    now = runtime.clock.now()
    async with _selling(request, client_id, back, lambda problems: _("No payment link was made: %(problems)s",
                                                                      problems=problems)) as (session, business):
        purchase = await purchases.start(session, business, client_id, form.product_id, now)
        link = f"{base}/pay/{purchase.token}"
        name = await products.product_name(session, purchase.product_id)
        sent = await send_pay_link(session, business, purchase, name, link, now, email=runtime.mailer is not None)
    shown = {"name": name, "price": panel_money(purchase.amount_cents, purchase.currency)}
    if sent == "whatsapp":
        await runtime.wake.deliver([client_id])
        flash(request, _("Payment link for %(name)s (%(price)s) sent in the chat.", **shown))
    elif sent == "email":
        await runtime.wake.mail()
        flash(request, _("Payment link for %(name)s (%(price)s) sent to their email: they have not written in the last "
                         "24 hours, and WhatsApp carries no link outside that window.", **shown))
    else:
        flash(request, _("Payment link for %(name)s (%(price)s) made, but not sent: they have not written in the last "
                         "24 hours and gave no email. Send it to them yourself: %(link)s", link=link, **shown))
    raise web.HTTPFound(back)


@asynccontextmanager
async def _selling(request: web.Request, client_id: int, back: str,
                   refused: Callable[[str], str]) -> AsyncIterator[tuple[AsyncSession, Business]]:
    """A transaction selling to a client of the owner's studio (404 for another's); a domain refusal rolls it back,
    says `refused(its words)` and goes `back`."""
    me, runtime = require_owner(request), request.app[RUNTIME]
    try:
        async with runtime.sessions.begin() as session:
            with not_found_as_404():
                await get_scoped(session, Client, me.business_id, client_id)
            yield session, await business_of(session, me)
    except DomainError as error:
        flash(request, refused(str(error)))
        raise web.HTTPFound(back) from None
