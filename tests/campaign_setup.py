"""Shared set-up for the campaign tests: clients in bulk, a campaign made and started through the domain."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from domain.models import CampaignMember, Client
from domain.retention import campaigns
from domain.retention.campaigns import CampaignSettings
from tests.booking_setup import NOW

DEFAULTS = CampaignSettings(
    name="Volta", segment="all_active", min_risk=0.0, message="Oi {first_name}! Saudades no {business}.", template_name=None,
    template_language=None, book_button=True, send_from_min=10 * 60, send_until_min=19 * 60, daily_cap=1000,
    exclude_contacted_days=0, holdout_percent=50, conversion_days=14)


async def add_clients(runtime: Any, business_id: int, n: int, *, wrote_at: datetime | None = NOW) -> list[int]:
    """`n` clients named "Cliente <i>"; `wrote_at` opens their 24-hour window (None: it is closed)."""
    rows = [{"business_id": business_id, "contact_key": f"+55118{i:08d}", "wa_id": f"55118{i:08d}", "phone_e164": f"+55118{i:08d}",
             "profile_name": f"Cliente {i}", "last_inbound_at": wrote_at, "created_at": NOW, "opted_out": False} for i in range(n)]
    async with runtime.sessions.begin() as session:
        return list(await session.scalars(insert(Client).returning(Client.id), rows))


async def make_campaign(runtime: Any, business_id: int, **changed: Any) -> int:
    async with runtime.sessions.begin() as session:
        return (await campaigns.create_campaign(session, business_id, replace(DEFAULTS, **changed), NOW)).id


async def start(runtime: Any, business_id: int, campaign_id: int, at: datetime = NOW) -> campaigns.Started:
    async with runtime.sessions.begin() as session:
        return await campaigns.start_campaign(session, business_id, campaign_id, at)


async def members(runtime: Any, campaign_id: int) -> list[CampaignMember]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(CampaignMember).where(CampaignMember.campaign_id == campaign_id)
                                          .order_by(CampaignMember.client_id)))


async def arms(runtime: Any, campaign_id: int) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {"treated": set(), "holdout": set()}
    for m in await members(runtime, campaign_id):
        found[m.arm].add(m.client_id)
    return found
