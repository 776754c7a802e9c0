"""The demo business that `fitzap demo` starts with."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business

DEMO_BUSINESS_NAME = "Studio Demo FitZap"


async def seed_demo(session: AsyncSession, phone_number_id: str, now: datetime) -> Business:
    """Create the demo business once; later runs find it and keep its data."""
    existing = (await session.execute(select(Business).where(Business.phone_number_id == phone_number_id))).scalar_one_or_none()
    if existing is not None:
        return existing
    business = Business(
        name=DEMO_BUSINESS_NAME, phone_number_id=phone_number_id, display_phone_number="5511930000000",
        timezone="America/Sao_Paulo", locale="pt-BR", currency="BRL", created_at=now,
    )
    session.add(business)
    await session.flush()
    return business
