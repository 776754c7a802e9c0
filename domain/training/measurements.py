"""Body measurements and progress photos a client sends in the chat."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Measurement

KINDS = {"weight": "kg", "body_fat": "%", "waist": "cm", "hip": "cm", "chest": "cm", "arm": "cm", "thigh": "cm", "calf": "cm"}


async def record(session: AsyncSession, business_id: int, client_id: int, kind: str, value: float, now: datetime,
                 media_id: str | None = None) -> Measurement:
    """Store one measurement in the kind's unit."""
    row = Measurement(business_id=business_id, client_id=client_id, kind=kind, value=value, unit=KINDS[kind],
                      media_id=media_id, taken_at=now)
    session.add(row)
    await session.flush()
    return row


async def record_photo(session: AsyncSession, business_id: int, client_id: int, media_id: str, now: datetime) -> Measurement:
    row = Measurement(business_id=business_id, client_id=client_id, kind="photo", media_id=media_id[:128], taken_at=now)
    session.add(row)
    await session.flush()
    return row


async def history(session: AsyncSession, client_id: int, kind: str, since: datetime | None = None) -> list[Measurement]:
    query = select(Measurement).where(Measurement.client_id == client_id, Measurement.kind == kind)
    if since is not None:
        query = query.where(Measurement.taken_at >= since)
    return list(await session.scalars(query.order_by(Measurement.taken_at, Measurement.id)))


async def previous(session: AsyncSession, client_id: int, kind: str, before_id: int) -> Measurement | None:
    return await session.scalar(select(Measurement).where(
        Measurement.client_id == client_id, Measurement.kind == kind, Measurement.id < before_id)
        .order_by(Measurement.id.desc()).limit(1))
