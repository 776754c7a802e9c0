"""The platform's plans and their limits, and where a limit bites.

The limits are configuration (FITZAP_PLANS, read by runtime.settings): the composition root hands them over once
with `use_plans`, as every process serves the one book of plans its settings name. None means unlimited.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Appointment, Booking, Business, Campaign, PlanUsage, Staff
from domain.sql.upsert import insert_for

PLAN_NAMES = ("free", "starter", "pro", "enterprise")
SIGNUP_PLAN = "free"
# A client counts as active with a session (booked, attended or missed) from this long ago onwards.
ACTIVE_WINDOW = timedelta(days=30)
NOT_COUNTED = ("cancelled",)


@dataclass(frozen=True)
class Plan:
    name: str
    active_clients: int | None
    trainers: int | None
    automated_messages: int | None  # a calendar month's reminders, follow-ups, offers and campaign messages
    campaigns: int | None  # campaigns started in a calendar month
    api_access: bool
    price_cents: int  # a month, in `currency`; 0 is free
    currency: str = "BRL"
    stripe_price_id: str | None = None  # the platform's Stripe Price; None prices the checkout inline


DEFAULT_PLANS: dict[str, Plan] = {
    "free": Plan("free", active_clients=20, trainers=1, automated_messages=300, campaigns=0, api_access=False, price_cents=0),
    "starter": Plan("starter", active_clients=100, trainers=3, automated_messages=3_000, campaigns=2, api_access=False,
                    price_cents=9_900),
    "pro": Plan("pro", active_clients=400, trainers=10, automated_messages=20_000, campaigns=10, api_access=True,
                price_cents=19_900),
    "enterprise": Plan("enterprise", active_clients=None, trainers=None, automated_messages=None, campaigns=None,
                       api_access=True, price_cents=49_900),
}
_plans: dict[str, Plan] = dict(DEFAULT_PLANS)


def use_plans(plans: dict[str, Plan]) -> None:
    """Serve these plans (from the settings) in this process."""
    assert set(plans) == set(PLAN_NAMES), "every plan needs its limits"
    _plans.clear()
    _plans.update(plans)


def with_overrides(overrides: dict[str, dict[str, object]]) -> dict[str, Plan]:
    """The default plans with the configured fields replaced."""
    return {name: replace(plan, **overrides.get(name, {})) for name, plan in DEFAULT_PLANS.items()}  # type: ignore[arg-type]


def all_plans() -> list[Plan]:
    return [_plans[name] for name in PLAN_NAMES]


def plan_of(business: Business) -> Plan:
    return plan_by_name(business.plan)


def plan_by_name(name: str) -> Plan:
    return _plans.get(name, _plans[SIGNUP_PLAN])


_LIMIT_WORDS = {"active_clients": "active clients", "trainers": "active trainers", "campaigns": "campaigns a month"}


class PlanLimitReached(DomainError):
    """The business's plan does not allow this; `limit` names which of its limits."""

    code = "plan_limit"

    def __init__(self, limit: str, plan: Plan, allowed: int | None) -> None:
        name = plan.name.capitalize()
        super().__init__(f"the {name} plan has no API access" if limit == "api_access"
                         else f"the {name} plan allows {allowed} {_LIMIT_WORDS.get(limit, limit)}")
        self.limit, self.plan, self.allowed = limit, plan, allowed


def month_of(business: Business, now: datetime) -> date:
    """The first day of the business's month at `now`, in its own time zone: a studio in São Paulo starts December at
    midnight there, not at 21:00 the day before."""
    return now.astimezone(ZoneInfo(business.timezone)).date().replace(day=1)


# --- active clients ---

async def active_clients(session: AsyncSession, business_id: int, now: datetime) -> int:
    """Clients with a session from ACTIVE_WINDOW ago onwards, upcoming ones included."""
    stmt = (select(func.count(func.distinct(Booking.client_id))).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Appointment.business_id == business_id, Appointment.starts_at >= now - ACTIVE_WINDOW,
                   Booking.status.not_in(NOT_COUNTED)))
    return int(await session.scalar(stmt) or 0)


async def _is_active(session: AsyncSession, business_id: int, client_id: int, now: datetime) -> bool:
    stmt = (select(Booking.id).join(Appointment, Appointment.id == Booking.appointment_id)
            .where(Booking.client_id == client_id, Appointment.business_id == business_id,
                   Appointment.starts_at >= now - ACTIVE_WINDOW, Booking.status.not_in(NOT_COUNTED)).limit(1))
    return await session.scalar(stmt) is not None


async def check_booking(session: AsyncSession, business: Business, client_id: int, now: datetime) -> None:
    """PlanLimitReached when this booking would make one active client more than the plan allows."""
    plan = plan_of(business)
    if plan.active_clients is None or await _is_active(session, business.id, client_id, now):
        return
    if await active_clients(session, business.id, now) >= plan.active_clients:
        raise PlanLimitReached("active_clients", plan, plan.active_clients)


# --- trainers and campaigns ---

async def active_trainers(session: AsyncSession, business_id: int) -> int:
    stmt = select(func.count()).select_from(Staff).where(Staff.business_id == business_id, Staff.active.is_(True))
    return int(await session.scalar(stmt) or 0)


async def check_new_trainer(session: AsyncSession, business: Business) -> None:
    plan = plan_of(business)
    if plan.trainers is not None and await active_trainers(session, business.id) >= plan.trainers:
        raise PlanLimitReached("trainers", plan, plan.trainers)


async def campaigns_started(session: AsyncSession, business: Business, now: datetime) -> int:
    start = datetime.combine(month_of(business, now), datetime.min.time(), tzinfo=ZoneInfo(business.timezone))
    stmt = select(func.count()).select_from(Campaign).where(Campaign.business_id == business.id, Campaign.started_at >= start)
    return int(await session.scalar(stmt) or 0)


async def check_new_campaign(session: AsyncSession, business: Business, now: datetime) -> None:
    plan = plan_of(business)
    if plan.campaigns is not None and await campaigns_started(session, business, now) >= plan.campaigns:
        raise PlanLimitReached("campaigns", plan, plan.campaigns)


def check_api(plan_name: str) -> None:
    """PlanLimitReached unless the plan (a business's, or an API token owner's) includes the API."""
    plan = plan_by_name(plan_name)
    if not plan.api_access:
        raise PlanLimitReached("api_access", plan, None)


# --- automated messages, metered per month ---

async def usage(session: AsyncSession, business: Business, now: datetime) -> PlanUsage:
    """This month's metered use (zeros when nothing was counted yet)."""
    month = month_of(business, now)
    found = await session.get(PlanUsage, (business.id, month))
    return found or PlanUsage(business_id=business.id, month=month, automated_sent=0, automated_held=0, clients_refused=0)


async def count(session: AsyncSession, business: Business, now: datetime, **added: int) -> None:
    """Add to this month's counters in one statement (parallel workers each add theirs)."""
    table = PlanUsage.__table__
    stmt = insert_for(session, table).values(business_id=business.id, month=month_of(business, now), **added)
    stmt = stmt.on_conflict_do_update(index_elements=["business_id", "month"],
                                      set_={name: table.c[name] + stmt.excluded[name] for name in added})
    await session.execute(stmt)


class AutomatedAllowance:
    """What each business may still send automatically this month, for one batch of due work; counted once at the end."""

    def __init__(self, session: AsyncSession, now: datetime) -> None:
        self._session, self._now = session, now
        self._businesses: dict[int, Business] = {}
        self._left: dict[int, int | None] = {}
        self._sent: dict[int, int] = {}
        self._held: dict[int, int] = {}

    async def room(self, business: Business) -> bool:
        """Whether the business may send another automated message; a no is counted as one held back."""
        if business.id not in self._left:
            self._businesses[business.id] = business
            allowed = plan_of(business).automated_messages
            used = (await usage(self._session, business, self._now)).automated_sent if allowed is not None else 0
            self._left[business.id] = None if allowed is None else allowed - used
        left = self._left[business.id]
        if left is not None and left - self._sent.get(business.id, 0) <= 0:
            self._held[business.id] = self._held.get(business.id, 0) + 1
            return False
        return True

    def sent(self, business: Business, messages: int) -> None:
        """`messages` went out for the business (after room() said yes)."""
        self._sent[business.id] = self._sent.get(business.id, 0) + messages

    async def record(self) -> None:
        for business_id in sorted(self._sent.keys() | self._held.keys()):
            await count(self._session, self._businesses[business_id], self._now,
                        automated_sent=self._sent.get(business_id, 0), automated_held=self._held.get(business_id, 0))
