"""Paying in the chat: the products as a list → pick one → a payment link; the balance with expiries."""
from __future__ import annotations

from conversations import reply_ids as ids
from conversations.context import Ctx
from conversations.money import money
from conversations.replies import ListMessage, Row
from domain.models import Product
from domain.payments import products, purchases
from domain.scheduling import credits, memberships

MAX_ROWS = 10  # WhatsApp's list message holds 10 rows


async def can_sell(ctx: Ctx) -> bool:
    """Whether the chat can take a payment: the deployment takes them and the business sells something."""
    return ctx.public_url is not None and bool(await products.active_products(ctx.session, ctx.business.id))


async def offer(ctx: Ctx, resume_booking: str | None = None, held_min: int | None = None) -> None:
    """The products to buy; `resume_booking` is the booking held `held_min` minutes, made once one is paid."""
    on_sale = await products.active_products(ctx.session, ctx.business.id)
    if not on_sale or ctx.public_url is None:
        ctx.state.reset()
        ctx.say("pay_at_studio")
        return
    ctx.state.start("pay", "product", resume=resume_booking)
    rows = tuple(Row(id=ids.make(ids.PRODUCT, p.id), title=p.name[:24], description=describe(ctx, p)[:72]) for p in on_sale[:MAX_ROWS])
    intro = ctx.t("ask_product", held_min=held_min)
    ctx.send(ListMessage(intro, ctx.t("products_button"), rows))


async def chosen(ctx: Ctx, product_id: int) -> None:
    """A product was picked: a pending purchase and its link."""
    if ctx.public_url is None:
        ctx.say("pay_at_studio")
        return
    resume = ctx.state.slots.get("resume") if ctx.state.flow == "pay" else None
    purchase = await purchases.start(ctx.session, ctx.business, ctx.client.id, product_id, ctx.now, resume_booking=resume)
    product = await products.product_name(ctx.session, product_id)
    ctx.state.reset()
    ctx.say("pay_link", product=product, price=money(purchase.amount_cents, purchase.currency, ctx.locale),
            link=f"{ctx.public_url}/pay/{purchase.token}", pix=purchase.currency == "BRL")


async def balance(ctx: Ctx) -> None:
    """Credits pack by pack with their expiry, and the membership with its status and last day."""
    packs = await credits.live_packs(ctx.session, ctx.business.id, ctx.client.id, ctx.now)
    lines = [ctx.t("pack_line", n=n, until=f"{expires.astimezone(ctx.tz):%d/%m/%Y}" if expires else None) for n, expires in packs]
    plan = await memberships.current_membership(ctx.session, ctx.business.id, ctx.client.id, ctx.local_now.date())
    ctx.say("balance", n=sum(n for n, _ in packs), packs="\n".join(lines) if len(lines) > 1 or any(e for _, e in packs) else "",
            plan=plan.plan_name if plan else None, status=plan.status if plan else None,
            until=f"{plan.ends_on:%d/%m/%Y}" if plan else None)


def describe(ctx: Ctx, product: Product) -> str:
    """ "R$ 450,00 · 10 créditos, 60 dias" / "R$ 199,00 · mensal, ilimitado"."""
    price = money(product.price_cents, ctx.business.currency, ctx.locale)
    gives = ctx.t("product_gives", kind=product.kind, credits=product.credits, days=product.validity_days, period=product.period,
                  per_week=product.sessions_per_week)
    return f"{price} · {gives}"
