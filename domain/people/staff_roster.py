"""The business's trainers as the panel manages them: list, change, deactivate."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Staff
from domain.scheduling.catalog import get_scoped


async def staff_of(session: AsyncSession, business_id: int, *, active_only: bool = False) -> list[Staff]:
    """The business's staff, active first, by name."""
    stmt = select(Staff).where(Staff.business_id == business_id)
    if active_only:
        stmt = stmt.where(Staff.active.is_(True))
    return list((await session.execute(stmt.order_by(Staff.active.desc(), Staff.name, Staff.id))).scalars().all())


async def update_staff(session: AsyncSession, business_id: int, staff_id: int, *, name: str, email: str | None,
                       wa_id: str | None, digest_at_min: int | None) -> Staff:
    """Change a trainer's name, e-mail, and the WhatsApp number and local time of their daily digest."""
    staff = await get_scoped(session, Staff, business_id, staff_id)
    staff.name, staff.email, staff.wa_id, staff.digest_at_min = name, email, wa_id, digest_at_min
    await session.flush()
    return staff

