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


async def photos_waiting(session: AsyncSession, since: datetime) -> bool:
    """Whether a progress photo taken since then still waits for its download."""
    return await session.scalar(select(Measurement.id).where(
        Measurement.kind == "photo", Measurement.media_path.is_(None), Measurement.taken_at >= since).limit(1)) is not None


async def photos_to_fetch(session: AsyncSession, since: datetime, limit: int) -> list[Measurement]:
    return list(await session.scalars(select(Measurement).where(
        Measurement.kind == "photo", Measurement.media_path.is_(None), Measurement.taken_at >= since)
        .order_by(Measurement.taken_at).limit(limit)))


async def kept_photo(session: AsyncSession, measurement_id: int, path: str) -> None:
    """Where the photo was kept ("" when its download failed for good)."""
    row = await session.get(Measurement, measurement_id)
    if row is not None:
        row.media_path = path


async def photo_path(session: AsyncSession, client_id: int, measurement_id: int) -> str | None:
    """Where one of this client's downloaded photos was kept (None: not theirs, not a photo, or not downloaded)."""
    row = await session.get(Measurement, measurement_id)
    return row.media_path if row is not None and row.client_id == client_id and row.kind == "photo" and row.media_path else None
