"""What a business sells: session packs, memberships and drop-ins, priced in integer cents."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import InvalidProduct
from domain.models import Product
from domain.scheduling.catalog import get_scoped

KINDS = ("pack", "membership", "drop_in")
PERIODS = {"month": 1, "quarter": 3, "year": 12}
MAX_CREDITS = 500
MAX_VALIDITY_DAYS = 3650


async def active_products(session: AsyncSession, business_id: int) -> list[Product]:
    """What a client can buy, cheapest first."""
    stmt = (select(Product).where(Product.business_id == business_id, Product.active.is_(True))
            .order_by(Product.price_cents, Product.id))
    return list((await session.execute(stmt)).scalars().all())


async def products_of(session: AsyncSession, business_id: int) -> list[Product]:
    """Every product, archived ones last."""
    stmt = select(Product).where(Product.business_id == business_id).order_by(Product.active.desc(), Product.kind, Product.id)
    return list((await session.execute(stmt)).scalars().all())


async def product_name(session: AsyncSession, product_id: int) -> str:
    return (await session.execute(select(Product.name).where(Product.id == product_id))).scalar_one()


async def add_product(session: AsyncSession, business_id: int, now: datetime, *, kind: str, name: str, price_cents: int,
                      credits: int | None = None, validity_days: int | None = None, period: str | None = None,
                      sessions_per_week: int | None = None) -> Product:
    product = Product(business_id=business_id, created_at=now, active=True)
    _apply(product, kind=kind, name=name, price_cents=price_cents, credits=credits, validity_days=validity_days,
           period=period, sessions_per_week=sessions_per_week)
    session.add(product)
    await session.flush()
    return product


async def update_product(session: AsyncSession, business_id: int, product_id: int, *, kind: str, name: str,
                         price_cents: int, credits: int | None = None, validity_days: int | None = None,
                         period: str | None = None, sessions_per_week: int | None = None) -> Product:
    """Change a product; purchases already made keep what they gave."""
    product = await get_scoped(session, Product, business_id, product_id)
    _apply(product, kind=kind, name=name, price_cents=price_cents, credits=credits, validity_days=validity_days,
           period=period, sessions_per_week=sessions_per_week)
    await session.flush()
    return product


def _apply(product: Product, *, kind: str, name: str, price_cents: int, credits: int | None, validity_days: int | None,
           period: str | None, sessions_per_week: int | None) -> None:
    """Set the fields a kind uses and clear the others; InvalidProduct when they do not make a product."""
    if kind not in KINDS:
        raise InvalidProduct(f"unknown kind {kind!r}")
    if not name.strip() or price_cents < 0:
        raise InvalidProduct("a product needs a name and a price of zero or more")
    if validity_days is not None and not 1 <= validity_days <= MAX_VALIDITY_DAYS:
        raise InvalidProduct(f"validity is 1 to {MAX_VALIDITY_DAYS} days")
    product.kind, product.name, product.price_cents = kind, name.strip(), price_cents
    product.credits = product.period = product.sessions_per_week = None
    product.validity_days = validity_days if kind != "membership" else None
    if kind == "pack":
        if credits is None or not 1 <= credits <= MAX_CREDITS:
            raise InvalidProduct(f"a pack holds 1 to {MAX_CREDITS} credits")
        product.credits = credits
    elif kind == "drop_in":
        product.credits = 1
    else:
        if period not in PERIODS:
            raise InvalidProduct("a membership lasts a month, a quarter or a year")
        if sessions_per_week is not None and not 1 <= sessions_per_week <= 14:
            raise InvalidProduct("a membership allows 1 to 14 sessions a week, or unlimited")
        product.period, product.sessions_per_week = period, sessions_per_week


def membership_ends_on(starts_on: date, period: str) -> date:
    """The last day a membership bought on `starts_on` covers (a month from the 31st ends at the month's end)."""
    months = PERIODS[period]
    year, month = divmod(starts_on.month - 1 + months, 12)
    year += starts_on.year
    month += 1
    for day in (starts_on.day, 30, 29, 28):
        try:
            return date(year, month, day) - timedelta(days=1)
        except ValueError:
            continue
    raise AssertionError("every month has a 28th")
