"""Looking up tenants."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business


@dataclass(frozen=True)
class BusinessRef:
    id: int
    name: str
    phone_number_id: str
    app_secret_sealed: str | None = None  # its own Meta app's secret, when it signs the number's webhooks


async def by_phone_number_id(session: AsyncSession, phone_number_id: str) -> BusinessRef | None:
    """The business that owns a WhatsApp phone number id, if any."""
    row = (
        await session.execute(
            select(Business.id, Business.name, Business.phone_number_id, Business.whatsapp_app_secret_encrypted)
            .where(Business.phone_number_id == phone_number_id)
        )
    ).one_or_none()
    return BusinessRef(*row) if row else None


async def by_ids(session: AsyncSession, ids: Iterable[int]) -> dict[int, Business]:
    """Several businesses in one query (a batch of due work or deliveries can span hundreds of them)."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {b.id: b for b in (await session.execute(_BY_IDS, {"ids": sorted(wanted)})).scalars().all()}


_BY_IDS = select(Business).where(Business.id.in_(bindparam("ids", expanding=True)))  # built once, not per batch
