"""Which approved WhatsApp templates a trainer may pick when the 24-hour window is closed."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Base


async def template_names(session: AsyncSession, business_id: int, configured: Iterable[str]) -> list[str]:
    """The business's templates when a templates table exists, else the configured names."""
    # Looked up by name: the templates table belongs to the settings pages and may not exist yet.
    table = Base.metadata.tables.get("message_templates")
    if table is not None and {"business_id", "name"} <= set(table.c.keys()):
        stmt = select(table.c.name).where(table.c.business_id == business_id)
        if "status" in table.c:
            stmt = stmt.where(table.c.status == "approved")
        names = list((await session.execute(stmt.order_by(table.c.name))).scalars().all())
        if names:
            return names
    return sorted(set(configured))
