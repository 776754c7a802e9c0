"""The credit ledger: packs in, one credit out per booking, refunds, expiry. Append-only.

`credit_balances` is kept in step in the same transaction; its CHECK (balance >= 0) is the
database's guarantee that no race can spend a credit twice.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.catalog import get_scoped
from domain.errors import NoCredits
from domain.models import Client, CreditBalance, CreditEntry
from domain.upsert import insert_for


async def add_pack(session: AsyncSession, business_id: int, client_id: int, credits: int, now: datetime, *,
                   expires_at: datetime | None = None, note: str | None = None) -> CreditEntry:
    """Put a pack of credits in the client's ledger (a 'purchase' entry is the pack)."""
    if credits <= 0:
        raise ValueError("a pack holds at least one credit")
    await get_scoped(session, Client, business_id, client_id)
    pack = CreditEntry(business_id=business_id, client_id=client_id, kind="purchase", delta=credits,
                       expires_at=expires_at, note=note, created_at=now)
    session.add(pack)
    await session.flush()
    await _move_balance(session, business_id, client_id, credits)
    return pack


async def balance(session: AsyncSession, business_id: int, client_id: int) -> int:
    await get_scoped(session, Client, business_id, client_id)
    row = await session.get(CreditBalance, client_id)
    return row.balance if row else 0


async def spend_one(session: AsyncSession, business_id: int, client_id: int, booking_id: int | None, now: datetime) -> CreditEntry:
    """Spend a credit from the pack that expires first (NoCredits when there is none)."""
    await get_scoped(session, Client, business_id, client_id)
    await _lock_balance(session, business_id, client_id)
    for pack, left in await _packs_with_credit(session, business_id, client_id, now):
        entry = CreditEntry(business_id=business_id, client_id=client_id, kind="spend", delta=-1, pack_id=pack.id,
                            booking_id=booking_id, created_at=now)
        session.add(entry)
        await session.flush()
        await _move_balance(session, business_id, client_id, -1)
        return entry
    raise NoCredits("no credits left: buy a pack to book")


async def refund_for_booking(session: AsyncSession, business_id: int, booking_id: int, now: datetime) -> CreditEntry | None:
    """Give back the credit a booking spent, once; a refund into an expired pack expires at once."""
    entries = (await session.execute(select(CreditEntry).where(
        CreditEntry.business_id == business_id, CreditEntry.booking_id == booking_id))).scalars().all()
    spend = next((e for e in entries if e.kind == "spend"), None)
    if spend is None or any(e.kind == "refund" for e in entries):
        return None
    await _lock_balance(session, business_id, spend.client_id)
    refund = CreditEntry(business_id=business_id, client_id=spend.client_id, kind="refund", delta=1,
                         pack_id=spend.pack_id, booking_id=booking_id, created_at=now)
    session.add(refund)
    await _move_balance(session, business_id, spend.client_id, 1)
    pack = await session.get(CreditEntry, spend.pack_id) if spend.pack_id else None
    if pack is not None and pack.expires_at is not None and pack.expires_at <= now:
        session.add(CreditEntry(business_id=business_id, client_id=spend.client_id, kind="expire", delta=-1,
                                pack_id=pack.id, booking_id=booking_id, created_at=now))
        await _move_balance(session, business_id, spend.client_id, -1)
    await session.flush()
    return refund


async def expire_packs(session: AsyncSession, business_id: int, now: datetime) -> int:
    """Remove what is left of every pack past its expiry; returns the credits expired."""
    expired = 0
    stmt = select(CreditEntry).where(CreditEntry.business_id == business_id, CreditEntry.kind == "purchase",
                                     CreditEntry.expires_at <= now)
    for pack in (await session.execute(stmt)).scalars().all():
        await _lock_balance(session, business_id, pack.client_id)
        left = pack.delta + await _used(session, pack.id)
        if left > 0:
            session.add(CreditEntry(business_id=business_id, client_id=pack.client_id, kind="expire", delta=-left,
                                    pack_id=pack.id, created_at=now))
            await _move_balance(session, business_id, pack.client_id, -left)
            expired += left
    await session.flush()
    return expired


async def history(session: AsyncSession, business_id: int, client_id: int) -> list[CreditEntry]:
    """The client's ledger, newest first."""
    await get_scoped(session, Client, business_id, client_id)
    stmt = (select(CreditEntry).where(CreditEntry.business_id == business_id, CreditEntry.client_id == client_id)
            .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc()))
    return list((await session.execute(stmt)).scalars().all())


async def _packs_with_credit(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> list[tuple[CreditEntry, int]]:
    stmt = select(CreditEntry).where(
        CreditEntry.business_id == business_id, CreditEntry.client_id == client_id, CreditEntry.kind == "purchase",
        (CreditEntry.expires_at.is_(None)) | (CreditEntry.expires_at > now),
    )
    packs = (await session.execute(stmt)).scalars().all()
    # Soonest expiry first, never-expiring last, oldest first among equals.
    ordered = sorted(packs, key=lambda p: (p.expires_at is None, p.expires_at or now, p.id))
    with_left = [(p, p.delta + await _used(session, p.id)) for p in ordered]
    return [(p, left) for p, left in with_left if left > 0]


async def _used(session: AsyncSession, pack_id: int) -> int:
    stmt = select(func.coalesce(func.sum(CreditEntry.delta), 0)).where(CreditEntry.pack_id == pack_id)
    return int((await session.execute(stmt)).scalar_one())


async def _lock_balance(session: AsyncSession, business_id: int, client_id: int) -> None:
    """Serialise a client's credit movements (row lock on PostgreSQL; SQLite serialises anyway)."""
    create = insert_for(session, CreditBalance).values(client_id=client_id, business_id=business_id, balance=0)
    await session.execute(create.on_conflict_do_nothing(index_elements=["client_id"]))
    await session.execute(select(CreditBalance.client_id).where(CreditBalance.client_id == client_id).with_for_update())


async def _move_balance(session: AsyncSession, business_id: int, client_id: int, delta: int) -> None:
    await _lock_balance(session, business_id, client_id)
    await session.execute(update(CreditBalance).where(CreditBalance.client_id == client_id)
                          .values(balance=CreditBalance.balance + delta).execution_options(synchronize_session=False))
