"""Session credits: packs bought into an append-only ledger, spent by bookings, refunded, expired.

`credit_balances` holds the spendable total per client; every change to it goes with ledger
entries in the same transaction, and writers lock the client's balance row first, so the ledger
and the balance agree and concurrent spends are serialised. The CHECK (balance >= 0) is the
database's last line of defence.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.errors import NoCredits, NotFound
from domain.models import Booking, Client, CreditBalance, CreditEntry
from domain.scheduling.catalog import get_scoped
from domain.sql.upsert import insert_for


async def add_pack(session: AsyncSession, business_id: int, client_id: int, credits: int, now: datetime, *,
                   expires_at: datetime | None = None, note: str | None = None) -> CreditEntry:
    """Record a purchased pack of `credits` (optionally expiring) and raise the balance by it."""
    if credits <= 0:
        raise ValueError("a pack holds at least one credit")
    await get_scoped(session, Client, business_id, client_id)
    pack = CreditEntry(business_id=business_id, client_id=client_id, kind="purchase", delta=credits,
                       expires_at=expires_at, note=note, created_at=now)
    session.add(pack)
    await session.flush()
    table = CreditBalance.__table__
    upsert = insert_for(session, table).values(client_id=client_id, business_id=business_id, balance=credits)
    # ON CONFLICT adds under the row lock, so two concurrent purchases both count.
    await session.execute(upsert.on_conflict_do_update(
        index_elements=["client_id"], set_={"balance": table.c.balance + upsert.excluded.balance}))
    return pack


async def balance(session: AsyncSession, business_id: int, client_id: int) -> int:
    """The client's credit balance (0 if they never bought any)."""
    await get_scoped(session, Client, business_id, client_id)
    stmt = select(CreditBalance.balance).where(CreditBalance.client_id == client_id,
                                               CreditBalance.business_id == business_id)
    return (await session.execute(stmt)).scalar_one_or_none() or 0


async def spend_one(session: AsyncSession, business_id: int, client_id: int, booking_id: int | None,
                    now: datetime) -> CreditEntry:
    """Spend one credit from the pack that expires soonest; NoCredits if none is left."""
    await get_scoped(session, Client, business_id, client_id)
    if not await _lock_balance(session, business_id, client_id):
        raise NoCredits("no credits left")
    live = CreditEntry.expires_at.is_(None) | (CreditEntry.expires_at > now)
    stmt = (_packs_left(business_id).where(CreditEntry.client_id == client_id, live)
            # Soonest expiry first, non-expiring packs last, then the oldest pack.
            .order_by(CreditEntry.expires_at.is_(None), CreditEntry.expires_at, CreditEntry.created_at, CreditEntry.id)
            .limit(1))
    row = (await session.execute(stmt)).first()
    if row is None:  # the balance still counts packs that expired but were not swept yet
        raise NoCredits("no unexpired credits left")
    return await _append(session, CreditEntry(business_id=business_id, client_id=client_id, kind="spend", delta=-1,
                                              pack_id=row.id, booking_id=booking_id, created_at=now))


async def can_spend(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> bool:
    """Whether the client has an unexpired credit; their balance row stays locked, so it is still there to spend."""
    if not await _lock_balance(session, business_id, client_id):
        return False
    live = CreditEntry.expires_at.is_(None) | (CreditEntry.expires_at > now)
    stmt = _packs_left(business_id).where(CreditEntry.client_id == client_id, live).limit(1)
    return (await session.execute(stmt)).first() is not None


async def refund_for_booking(session: AsyncSession, business_id: int, booking_id: int,
                             now: datetime) -> CreditEntry | None:
    """Give back the credit a booking spent (once); None if it spent none or was already refunded."""
    booking = await session.get(Booking, booking_id)
    if booking is None or booking.business_id != business_id:
        raise NotFound(f"booking {booking_id} not found")
    await _lock_balance(session, business_id, booking.client_id)  # two refunds of one booking serialise here
    stmt = (select(CreditEntry).where(CreditEntry.business_id == business_id, CreditEntry.booking_id == booking_id,
                                      CreditEntry.kind.in_(("spend", "refund")))
            .order_by(CreditEntry.id))
    entries = (await session.execute(stmt)).scalars().all()
    spends = [e for e in entries if e.kind == "spend"]
    if len(spends) <= len(entries) - len(spends):
        return None
    spent = spends[-1]
    refund = await _append(session, CreditEntry(business_id=business_id, client_id=spent.client_id, kind="refund",
                                                delta=1, pack_id=spent.pack_id, booking_id=booking_id, created_at=now))
    pack = await session.get(CreditEntry, spent.pack_id) if spent.pack_id is not None else None
    if pack is not None and pack.expires_at is not None and pack.expires_at <= now:
        # The pack is past its date: the returned credit lapses with it.
        await _append(session, CreditEntry(business_id=business_id, client_id=spent.client_id, kind="expire",
                                           delta=-1, pack_id=pack.id, booking_id=booking_id, created_at=now))
    return refund


async def expire_packs(session: AsyncSession, business_id: int, now: datetime) -> int:
    """Expire what is left of every pack past its date; returns the number of credits expired."""
    due = _packs_left(business_id).where(CreditEntry.expires_at <= now)
    clients = sorted({row.client_id for row in (await session.execute(due)).all()})
    if not clients:
        return 0
    for client_id in clients:  # lock in id order so concurrent sweeps cannot deadlock
        await _lock_balance(session, business_id, client_id)
    total = 0
    # Re-read under the locks: a spend or another sweep may have committed in between.
    for row in (await session.execute(due.where(CreditEntry.client_id.in_(clients)))).all():
        await _append(session, CreditEntry(business_id=business_id, client_id=row.client_id, kind="expire",
                                           delta=-row.remaining, pack_id=row.id, created_at=now))
        total += row.remaining
    return total


async def take_back_pack(session: AsyncSession, business_id: int, pack_id: int, now: datetime, note: str) -> int:
    """Take back what is left of a pack (its purchase was refunded or lost a dispute); returns the credits taken."""
    pack = await session.get(CreditEntry, pack_id)
    if pack is None or pack.business_id != business_id or pack.kind != "purchase":
        raise NotFound(f"pack {pack_id} not found")
    await _lock_balance(session, business_id, pack.client_id)
    row = (await session.execute(_packs_left(business_id).where(CreditEntry.id == pack_id))).first()
    if row is None:
        return 0
    await _append(session, CreditEntry(business_id=business_id, client_id=pack.client_id, kind="revoke",
                                       delta=-row.remaining, pack_id=pack_id, note=note, created_at=now))
    return int(row.remaining)


async def live_packs(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> list[tuple[int, datetime | None]]:
    """(credits left, expiry) of each pack the client can still spend, soonest expiry first."""
    live = CreditEntry.expires_at.is_(None) | (CreditEntry.expires_at > now)
    stmt = (_packs_left(business_id).add_columns(CreditEntry.expires_at)
            .where(CreditEntry.client_id == client_id, live)
            .order_by(CreditEntry.expires_at.is_(None), CreditEntry.expires_at, CreditEntry.id))
    return [(int(row.remaining), row.expires_at) for row in (await session.execute(stmt)).all()]


async def history(session: AsyncSession, business_id: int, client_id: int) -> list[CreditEntry]:
    """The client's ledger, newest first."""
    await get_scoped(session, Client, business_id, client_id)
    stmt = (select(CreditEntry).where(CreditEntry.business_id == business_id, CreditEntry.client_id == client_id)
            .order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc()))
    return list((await session.execute(stmt)).scalars().all())


async def _lock_balance(session: AsyncSession, business_id: int, client_id: int) -> int | None:
    # A column select, not the entity: the identity map must not hand back a stale balance.
    stmt = (select(CreditBalance.balance).where(CreditBalance.client_id == client_id,
                                                CreditBalance.business_id == business_id).with_for_update())
    return (await session.execute(stmt)).scalar_one_or_none()


def _packs_left(business_id: int) -> Select[Any]:
    """Packs (purchase entries) with credits left: the purchase plus every entry pointing at it."""
    moves = aliased(CreditEntry)
    remaining = (CreditEntry.delta + func.coalesce(func.sum(moves.delta), 0)).label("remaining")
    return (select(CreditEntry.id, CreditEntry.client_id, remaining)
            .outerjoin(moves, moves.pack_id == CreditEntry.id)
            .where(CreditEntry.business_id == business_id, CreditEntry.kind == "purchase")
            .group_by(CreditEntry.id)
            .having(remaining > 0))


async def _append(session: AsyncSession, entry: CreditEntry) -> CreditEntry:
    """Add a ledger entry and move the balance by its delta (the CHECK refuses going below zero)."""
    session.add(entry)
    await session.flush()
    await session.execute(update(CreditBalance).where(CreditBalance.client_id == entry.client_id)
                          .values(balance=CreditBalance.balance + entry.delta)
                          .execution_options(synchronize_session=False))
    return entry
