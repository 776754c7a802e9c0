"""What the churn model sees of each member on a day, computed in SQL from the database: imported history and
FitZap's own live data alike (check-ins, bookings, payments and purchases, credits, messages).

A member is active on a day when they had joined by then (imported `joined_on`, else when they became a
client) and had not left (`left_on` after it, and not deactivated before it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Booking, CheckIn, Client, CreditBalance, InboundMessage, PaymentRecord, Purchase
from domain.sql.types import aware

HISTORY_DAYS = 182  # visits further back than this say little about next month
NAMES = ("visits_per_week_4w", "visits_per_week_8w", "visit_trend", "visits_last_week", "days_since_visit",
         "usual_gap_days", "gap_ratio", "visit_minutes", "tenure_days", "price", "plan_days", "days_to_renewal",
         "failed_payments_90d", "paid_payments_90d", "days_since_paid", "late_cancels_90d", "no_shows_90d",
         "credits_left", "messages_30d", "never_visited")


@dataclass(frozen=True)
class MemberFeatures:
    client_id: int
    values: tuple[float, ...]  # in the order of NAMES

    def get(self, name: str) -> float:
        return self.values[NAMES.index(name)]


def _start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tz).astimezone(UTC)


async def active_members(session: AsyncSession, business_id: int, on: date, tz: ZoneInfo) -> dict[int, tuple[date, str | None, int | None]]:
    """Members active on a day: client id → (joined, plan, price in cents)."""
    start = _start(on + timedelta(days=1), tz)
    rows = await session.execute(select(Client.id, Client.joined_on, Client.created_at, Client.plan_name, Client.plan_price_cents)
                                 .where(Client.business_id == business_id, Client.erased_at.is_(None),
                                        or_(Client.joined_on <= on, and_(Client.joined_on.is_(None), Client.created_at < start)),
                                        or_(Client.left_on.is_(None), Client.left_on > on),
                                        or_(Client.deactivated_at.is_(None), Client.deactivated_at >= start)))
    return {cid: (joined or created.astimezone(tz).date(), plan, price) for cid, joined, created, plan, price in rows}


async def features_on(session: AsyncSession, business_id: int, on: date, tz: ZoneInfo) -> list[MemberFeatures]:
    """Every active member's features as of the end of `on` (nothing after that day is looked at)."""
    members = await active_members(session, business_id, on, tz)
    if not members:
        return []
    end = _start(on + timedelta(days=1), tz)
    visits = await _visits(session, business_id, end)
    payments = await _payments(session, business_id, on, end)
    bookings = await _bookings(session, business_id, end)
    credits = dict((await session.execute(select(CreditBalance.client_id, CreditBalance.balance)
                                          .where(CreditBalance.business_id == business_id))).all())
    messages = dict((await session.execute(select(InboundMessage.client_id, func.count()).where(
        InboundMessage.business_id == business_id, InboundMessage.received_at >= end - timedelta(days=30),
        InboundMessage.received_at < end).group_by(InboundMessage.client_id))).all())
    out = []
    for client_id, (joined, plan, price) in members.items():
        tenure = (on - joined).days
        v = visits.get(client_id)
        n28, n56, n7, last, first, n182, minutes = v if v else (0, 0, 0, None, None, 0, None)
        since = (end - last).total_seconds() / 86400 if last else float(min(tenure, HISTORY_DAYS))
        usual = ((last - first).total_seconds() / 86400 / (n182 - 1)) if last and first and n182 > 1 else float(HISTORY_DAYS)
        failed, paid, last_paid, cadence = payments.get(client_id, (0, 0, None, None))
        plan_days = cadence or _plan_days(plan)
        late, no_show = bookings.get(client_id, (0, 0))
        out.append(MemberFeatures(client_id, (
            n28 / 4, n56 / 8, n28 / 4 - (n56 - n28) / 4, float(n7), since, usual, since / max(usual, 1.0),
            float(minutes or 0), float(tenure), (price or 0) / 100, float(plan_days), float(_days_to_renewal(joined, on, plan_days)),
            float(failed), float(paid), float((on - last_paid).days) if last_paid else 999.0, float(late), float(no_show),
            float(credits.get(client_id, 0)), float(messages.get(client_id, 0)), 1.0 if not v else 0.0)))
    return out


async def _visits(session: AsyncSession, business_id: int, end: datetime) -> dict[int, tuple]:  # type: ignore[type-arg]
    at = CheckIn.checked_in_at
    window = lambda days: func.sum(case((at >= end - timedelta(days=days), 1), else_=0))  # noqa: E731
    rows = await session.execute(
        select(CheckIn.client_id, window(28), window(56), window(7), func.max(at), func.min(at), func.count(),
               func.avg(case((at >= end - timedelta(days=56), CheckIn.duration_min))))
        .where(CheckIn.business_id == business_id, at >= end - timedelta(days=HISTORY_DAYS), at < end)
        .group_by(CheckIn.client_id))
    return {r[0]: (int(r[1]), int(r[2]), int(r[3]), aware(r[4]), aware(r[5]), int(r[6]), r[7]) for r in rows}


async def _payments(session: AsyncSession, business_id: int, on: date, end: datetime) -> dict[int, tuple]:  # type: ignore[type-arg]
    """Failed and paid in the last 90 days, the last paid day and the usual days between paid ones."""
    since = on - timedelta(days=90)
    rows = await session.execute(
        select(PaymentRecord.client_id, func.sum(case((and_(PaymentRecord.status == "failed", PaymentRecord.paid_on > since), 1),
                                                      else_=0)),
               func.sum(case((and_(PaymentRecord.status == "paid", PaymentRecord.paid_on > since), 1), else_=0)),
               func.max(case((PaymentRecord.status == "paid", PaymentRecord.paid_on))),
               func.min(case((PaymentRecord.status == "paid", PaymentRecord.paid_on))),
               func.sum(case((PaymentRecord.status == "paid", 1), else_=0)))
        .where(PaymentRecord.business_id == business_id, PaymentRecord.paid_on <= on).group_by(PaymentRecord.client_id))
    out: dict[int, tuple] = {}  # type: ignore[type-arg]
    for cid, failed, paid, last, first, count in rows:
        last, first = _day(last), _day(first)
        cadence = round((last - first).days / (count - 1)) if last and first and count > 1 else None
        out[cid] = (int(failed or 0), int(paid or 0), last, cadence)
    live = await session.execute(
        select(Purchase.client_id, func.sum(case((Purchase.status == "failed", 1), else_=0)),
               func.sum(case((Purchase.status == "paid", 1), else_=0)), func.max(Purchase.paid_at))
        .where(Purchase.business_id == business_id, Purchase.created_at >= end - timedelta(days=90), Purchase.created_at < end)
        .group_by(Purchase.client_id))
    for cid, failed, paid, last in live:
        f, p, known_last, cadence = out.get(cid, (0, 0, None, None))
        last_day = aware(last).date() if last else None
        out[cid] = (f + int(failed or 0), p + int(paid or 0), max(filter(None, (known_last, last_day)), default=None), cadence)
    return out


async def _bookings(session: AsyncSession, business_id: int, end: datetime) -> dict[int, tuple[int, int]]:
    rows = await session.execute(
        select(Booking.client_id, func.sum(case((Booking.late_cancel.is_(True), 1), else_=0)),
               func.sum(case((Booking.status == "no_show", 1), else_=0)))
        .where(Booking.business_id == business_id, Booking.created_at >= end - timedelta(days=90), Booking.created_at < end)
        .group_by(Booking.client_id))
    return {cid: (int(late or 0), int(no_show or 0)) for cid, late, no_show in rows}


def _plan_days(plan: str | None) -> int:
    """A plan's length from its name when its payments do not tell ("Anual" → 365)."""
    name = (plan or "").lower()
    for words, days in ((("anual", "annual", "year", "anuidade"), 365), (("semestr", "semi"), 182),
                        (("trimest", "quarter"), 91)):
        if any(w in name for w in words):
            return days
    return 30


def _days_to_renewal(joined: date, on: date, plan_days: int) -> int:
    """Days until the plan's next renewal, counted in whole plan lengths from the joining day."""
    elapsed = (on - joined).days
    return plan_days - elapsed % plan_days if elapsed >= 0 else plan_days



def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
