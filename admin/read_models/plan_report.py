"""A studio's plan against what it uses: for the Plan page, the dashboard's warnings and a downgrade's check."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Business
from domain.platform import plans


@dataclass(frozen=True)
class Meter:
    limit: str  # active_clients | trainers | automated_messages | campaigns
    used: int
    allowed: int | None  # None: unlimited

    @property
    def full(self) -> bool:
        return self.allowed is not None and self.used >= self.allowed

    @property
    def percent(self) -> int:
        return 0 if not self.allowed else min(100, round(100 * self.used / self.allowed))


@dataclass(frozen=True)
class PlanReport:
    plan: plans.Plan
    meters: list[Meter]
    automated_held: int  # automated messages the month's allowance held back
    clients_refused: int  # new clients the chat could not book this month

    @property
    def warnings(self) -> list[Meter]:
        return [m for m in self.meters if m.full]


async def plan_report(session: AsyncSession, business: Business, now: datetime) -> PlanReport:
    plan = plans.plan_of(business)
    usage = await plans.usage(session, business, now)
    meters = [
        Meter("active_clients", await plans.active_clients(session, business.id, now), plan.active_clients),
        Meter("trainers", await plans.active_trainers(session, business.id), plan.trainers),
        Meter("automated_messages", usage.automated_sent, plan.automated_messages),
        Meter("campaigns", await plans.campaigns_started(session, business, now), plan.campaigns),
    ]
    return PlanReport(plan, meters, usage.automated_held, usage.clients_refused)


def too_big_for(report: PlanReport, target: plans.Plan) -> list[Meter]:
    """What the studio has today that the target plan would not allow (active clients and trainers: they stay)."""
    allowed = {"active_clients": target.active_clients, "trainers": target.trainers}
    return [Meter(m.limit, m.used, allowed[m.limit]) for m in report.meters
            if m.limit in allowed and allowed[m.limit] is not None and m.used > allowed[m.limit]]  # type: ignore[operator]
