"""A year of the demo studio's past: members who came regularly, some who faded and left, card failures; a churn
model trained on it and today's scores, so the At risk page has something to show; and a win-back campaign
that finished two weeks ago, with its holdout."""
from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business, Campaign, CampaignMember, CheckIn, ChurnModel, Client, PaymentRecord
from domain.retention.churn_scores import score_business
from domain.retention.model import fit, snapshots

MEMBERS = 90
IMPORTED = timedelta(weeks=14)  # the studio moved to FitZap, bringing its members, this long before now
CAMPAIGN_MEMBERS = 24
FIRST_NAMES = ("Ana", "Bruno", "Camila", "Diego", "Elisa", "Felipe", "Gabriela", "Henrique", "Isabela", "João", "Larissa",
               "Marcos", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Tiago", "Vanessa", "Yuri")
LAST_NAMES = ("Almeida", "Barbosa", "Cardoso", "Costa", "Ferreira", "Gomes", "Lima", "Martins", "Oliveira", "Rocha")


async def seed_history(session: AsyncSession, shop: Business, today: date, now: datetime) -> None:
    """Members with a year of visits and payments, then a model trained on them and today's risk scores."""
    rng = random.Random(2026)
    tz = ZoneInfo(shop.timezone)
    for n in range(MEMBERS):
        await _member(session, shop.id, n, rng, today, tz, now)
    await session.flush()
    await _finished_campaign(session, shop, rng, now)
    await session.flush()
    predictor = fit(await snapshots(session, shop.id, today, tz), today)
    session.add(ChurnModel(business_id=shop.id, version=f"demo-{today.isoformat()}", trained_on=today, blob=predictor.dump(),
                           metrics={"rows": predictor.rows}, trained_at=now))
    await session.flush()
    await score_business(session, shop, today, now)


async def _member(session: AsyncSession, business_id: int, n: int, rng: random.Random, today: date, tz: ZoneInfo,
                  now: datetime) -> None:
    joined = today - timedelta(days=rng.randint(45, 400))
    left = joined + timedelta(days=int(rng.expovariate(1 / 260)) + 30)
    leaves = left <= today - timedelta(days=3)
    fades = rng.random() < 0.75  # most leavers come less for weeks first
    at_risk = not leaves and rng.random() < 0.2  # some current members are fading right now
    # Some still pay but stopped coming two to three months ago: whom the demo's win-back campaign went after.
    lapsed_on = today - timedelta(days=rng.randint(65, 90)) if not leaves and not at_risk and rng.random() < 0.5 else None
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    phone = f"+55119{70000000 + n:08d}"
    # A client since the import, or since joining when that came later (not all of them "new this week").
    since = max(now - IMPORTED, datetime.combine(joined, time(10), tz).astimezone(UTC))
    client = Client(business_id=business_id, contact_key=phone, phone_e164=phone, wa_id=phone.lstrip("+"), profile_name=name,
                    created_at=since, external_id=f"H{n:03d}", joined_on=joined, plan_name="Mensal", plan_price_cents=14990,
                    left_on=left if leaves else None, marketing_consent=rng.random() < 0.7)
    session.add(client)
    await session.flush()
    rate, last = rng.uniform(1.0, 4.5), (left if leaves else today)
    day = joined
    while day < last:
        weeks_left = (last - day).days / 7
        pace = rate * (min(1.0, weeks_left / 6) if (leaves and fades) or (at_risk and weeks_left < 5) else 1.0)
        if rng.random() < pace / 7 and not (lapsed_on and day >= lapsed_on):
            at = datetime.combine(day, time(rng.choice((6, 7, 12, 18, 19, 20)), rng.choice((0, 15, 30, 45))), tz)
            session.add(CheckIn(business_id=business_id, client_id=client.id, method="import", checked_in_at=at.astimezone(UTC),
                                duration_min=rng.randint(40, 90)))
        if (day - joined).days % 30 == 0:
            failing = (leaves and (last - day).days < 45 and rng.random() < 0.4) or rng.random() < 0.03
            session.add(PaymentRecord(business_id=business_id, client_id=client.id, paid_on=day, amount_cents=14990,
                                      status="failed" if failing else "paid"))
        day += timedelta(days=1)


async def _finished_campaign(session: AsyncSession, shop: Business, rng: random.Random, now: datetime) -> None:
    """Members with no visit in three weeks drawn six weeks ago, 30% held out; about 45% of those messaged came back within two
    weeks against 10% of the holdout (planted: the demo's history has no real effect to find)."""
    started = now - timedelta(days=42)
    campaign = Campaign(business_id=shop.id, name="Volta pra academia", segment="at_risk", min_risk=0.3,
                        message="Oi {first_name}! Sentimos sua falta na {business} 💪 Que tal marcar um treino esta semana?",
                        book_button=True, send_from_min=9 * 60, send_until_min=20 * 60, daily_cap=50, exclude_contacted_days=14,
                        holdout_percent=30, conversion_days=14, status="finished", excluded={}, created_at=started,
                        started_at=started, finished_at=started + timedelta(days=21))
    session.add(campaign)
    await session.flush()
    visits = (select(func.count()).where(CheckIn.client_id == Client.id, CheckIn.checked_in_at >= started - timedelta(days=21),
                                         CheckIn.checked_in_at < started).scalar_subquery())
    chosen = list(await session.scalars(select(Client.id).where(  # no visit in the three weeks before
        Client.business_id == shop.id, Client.external_id.is_not(None), visits == 0,
        or_(Client.left_on.is_(None), Client.left_on > started.date())).order_by(Client.id).limit(CAMPAIGN_MEMBERS)))
    for client_id in chosen:
        treated = rng.random() >= 0.3
        session.add(CampaignMember(campaign_id=campaign.id, client_id=client_id, business_id=shop.id,
                                   arm="treated" if treated else "holdout", assigned_at=started,
                                   sent_at=started + timedelta(hours=2) if treated else None))
        if rng.random() < (0.45 if treated else 0.1):
            session.add(CheckIn(business_id=shop.id, client_id=client_id, method="staff",
                                checked_in_at=started + timedelta(days=rng.randint(1, 10), hours=rng.randint(0, 10))))
