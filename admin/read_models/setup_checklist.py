"""What a studio still has to do before clients can use it in WhatsApp: the setup checklist's steps, done or not."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from admin.read_models.dashboard_stats import missing_templates
from domain.models import AvailabilityRule, Business, InboundMessage, MessageStatusEvent, Service, Signup, Staff


@dataclass(frozen=True)
class Step:
    key: str  # details | services | trainers | hours | number | token | webhook | templates
    done: bool
    route: str  # the panel page where it is done
    missing: int = 0  # templates still to submit


@dataclass(frozen=True)
class Checklist:
    steps: list[Step]
    signed_up: bool  # the studio signed up on its own (an operator's studios may use the platform's Meta app)

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done == len(self.steps)


async def checklist(session: AsyncSession, business: Business) -> Checklist:
    def any_row(*where: object) -> object:
        return session.scalar(select(exists().where(*where)))  # type: ignore[arg-type]

    bid = business.id
    heard = (await any_row(InboundMessage.business_id == bid) or await any_row(MessageStatusEvent.business_id == bid))
    signed_up = bool(await any_row(Signup.business_id == bid))
    missing = len(await missing_templates(session, business)) if business.phone_number_id else 0
    steps = [
        Step("details", bool(business.address), "settings"),
        Step("services", bool(await any_row(Service.business_id == bid, Service.active.is_(True))), "settings_services"),
        Step("trainers", bool(await any_row(Staff.business_id == bid, Staff.active.is_(True))), "staff"),
        Step("hours", bool(await any_row(AvailabilityRule.business_id == bid)), "settings_hours"),
        Step("number", business.phone_number_id is not None, "settings_whatsapp"),
        Step("token", (business.whatsapp_token_encrypted is not None and business.whatsapp_app_secret_encrypted is not None)
             or (not signed_up and business.phone_number_id is not None), "settings_whatsapp"),
        Step("webhook", bool(heard), "settings_whatsapp"),
        Step("templates", business.phone_number_id is not None and missing == 0, "settings_templates", missing),
    ]
    return Checklist(steps, signed_up)
