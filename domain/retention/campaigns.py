"""Win-back campaigns: made as drafts, started (members chosen, a random holdout drawn, sends planned), finished.

The holdout is drawn once, at the start, with a generator seeded by the campaign's id: the same campaign
over the same members always splits the same way, so a report can be reproduced and a test can rely on it.
Members are chosen and excluded before the draw, so both arms come from the same clients.
"""
from __future__ import annotations

import random
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError, NotFound
from domain.messaging.message_templates import LANGUAGE_PATTERN, NAME_PATTERN
from domain.models import Business, Campaign, CampaignMember, MessageTemplate, ScheduledMessage
from domain.platform import plans
from domain.retention.campaign_audience import choose_members
from domain.retention.campaign_sends import CAMPAIGN, plan_sends, send_days

SEGMENTS = {"at_risk": "At risk (churn score)", "inactive_30d": "No visit or booking in 30 days", "all_active": "Every active client"}
MESSAGE_VARIABLES = ("first_name", "business")
NAME_MAX = 120
MESSAGE_MAX = 1000  # a button message's body allows 1024
HOLDOUT_MIN, HOLDOUT_MAX = 5, 90  # below 5% the holdout is too small to measure anything
DAILY_CAP_MAX = 10_000
CONVERSION_DAYS_MAX = 90
CONTACTED_DAYS_MAX = 365


class InvalidCampaign(DomainError):
    """A campaign setting the rules refuse, named by its form field."""

    code = "invalid_campaign"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CampaignSettings:
    name: str
    segment: str
    min_risk: float
    message: str
    template_name: str | None
    template_language: str | None
    book_button: bool
    send_from_min: int
    send_until_min: int
    daily_cap: int
    exclude_contacted_days: int
    holdout_percent: int
    conversion_days: int


@dataclass(frozen=True)
class Started:
    treated: int
    holdout: int
    excluded: dict[str, int]
    days: int  # local days the sends are spread over


def check_message(text: str) -> None:
    """Only {first_name} and {business}, written plainly (no attributes, conversions or formats)."""
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        raise InvalidCampaign("message", "Write a variable as {first_name} or {business}; a lone { or } is not allowed.") from None
    for _, field, spec, conversion in parts:
        if field is not None and (field not in MESSAGE_VARIABLES or spec or conversion):
            raise InvalidCampaign("message", "Use only the variables {first_name} and {business}.")


def render(text: str, values: Mapping[str, str]) -> str:
    """The message with its variables filled (checked by `check_message` when it was saved)."""
    out = []
    for literal, field, _, _ in string.Formatter().parse(text):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)


async def create_campaign(session: AsyncSession, business_id: int, wanted: CampaignSettings, now: datetime) -> Campaign:
    """A draft campaign, its settings checked; nothing is chosen or sent until it is started."""
    await _check(session, business_id, wanted)
    campaign = Campaign(business_id=business_id, **asdict(wanted), status="draft", excluded={}, created_at=now)
    session.add(campaign)
    await session.flush()
    return campaign


async def update_campaign(session: AsyncSession, business_id: int, campaign_id: int, wanted: CampaignSettings) -> Campaign:
    """Change a draft's settings. A started campaign's are fixed: its members, holdout and sends were drawn from them."""
    campaign = await get_campaign(session, business_id, campaign_id)
    if campaign.status != "draft":
        raise InvalidCampaign("status", "A started campaign cannot be changed: its members and messages were planned from "
                                        "these settings. Finish it and make a new one.")
    await _check(session, business_id, wanted)
    for name, value in asdict(wanted).items():
        setattr(campaign, name, value)
    return campaign


async def get_campaign(session: AsyncSession, business_id: int, campaign_id: int) -> Campaign:
    """The business's campaign; another business's id (or none) is NotFound."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None or campaign.business_id != business_id:
        raise NotFound(f"campaign {campaign_id} not found")
    return campaign


async def start_campaign(session: AsyncSession, business_id: int, campaign_id: int, now: datetime) -> Started:
    """Choose the members, draw the holdout and plan the treated members' sends, in one transaction."""
    campaign = await session.get(Campaign, campaign_id, with_for_update=True)
    if campaign is None or campaign.business_id != business_id:
        raise NotFound(f"campaign {campaign_id} not found")
    if campaign.status != "draft":
        raise InvalidCampaign("status", "This campaign has already started.")
    business = await session.get(Business, business_id)
    assert business is not None
    await plans.check_new_campaign(session, business, now)
    if not send_days(business, campaign, now, 1):
        raise InvalidCampaign("send_from", "The send window lies wholly inside the quiet hours: nothing could be sent.")
    chosen, excluded = await choose_members(session, business_id, campaign, now)
    order = sorted(chosen)
    rng = random.Random(campaign.id)
    shuffled = order[:]
    rng.shuffle(shuffled)
    holdout = set(shuffled[:round(len(order) * campaign.holdout_percent / 100)])
    members = [CampaignMember(campaign_id=campaign.id, client_id=client_id, business_id=business_id,
                              arm="holdout" if client_id in holdout else "treated", assigned_at=now) for client_id in order]
    session.add_all(members)
    await session.flush()
    # Riskiest first, so a daily cap reaches those most likely to leave soonest.
    treated = sorted((m for m in members if m.arm == "treated"), key=lambda m: (-chosen[m.client_id], m.client_id))
    days = await plan_sends(session, business, campaign, [m.id for m in treated], now)
    campaign.status, campaign.started_at, campaign.excluded = "running", now, excluded
    return Started(len(treated), len(holdout), excluded, days)


async def finish_campaign(session: AsyncSession, business_id: int, campaign_id: int, now: datetime) -> Campaign:
    """Stop sending: the sends not yet made are cancelled; the report keeps measuring both arms."""
    campaign = await get_campaign(session, business_id, campaign_id)
    if campaign.status != "running":
        raise InvalidCampaign("status", "Only a running campaign can be finished.")
    members = select(CampaignMember.id).where(CampaignMember.campaign_id == campaign.id).scalar_subquery()
    await session.execute(update(ScheduledMessage)
                          .where(ScheduledMessage.kind == CAMPAIGN, ScheduledMessage.status == "pending",
                                 ScheduledMessage.business_id == business_id, ScheduledMessage.subject_id.in_(members))
                          .values(status="cancelled", outcome="campaign finished", updated_at=now)
                          .execution_options(synchronize_session=False))
    campaign.status, campaign.finished_at = "finished", now
    return campaign


async def _check(session: AsyncSession, business_id: int, wanted: CampaignSettings) -> None:
    if not wanted.name.strip() or len(wanted.name) > NAME_MAX:
        raise InvalidCampaign("name", f"Give the campaign a name of up to {NAME_MAX} characters.")
    if wanted.segment not in SEGMENTS:
        raise InvalidCampaign("segment", "Pick one from the list.")
    if not 0 <= wanted.min_risk <= 1:
        raise InvalidCampaign("min_risk", "Must be from 0 to 100.")
    if wanted.segment == "at_risk" and wanted.min_risk <= 0:
        raise InvalidCampaign("min_risk", "Say how high a member's risk must be (at least 1%).")
    if not wanted.message.strip() or len(wanted.message) > MESSAGE_MAX:
        raise InvalidCampaign("message", f"Write the message, up to {MESSAGE_MAX} characters.")
    check_message(wanted.message)
    if not 0 <= wanted.send_from_min < wanted.send_until_min <= 24 * 60:
        raise InvalidCampaign("send_until", "The send window must end after it starts, on the same day.")
    if not 1 <= wanted.daily_cap <= DAILY_CAP_MAX:
        raise InvalidCampaign("daily_cap", f"Must be from 1 to {DAILY_CAP_MAX}.")
    if not 0 <= wanted.exclude_contacted_days <= CONTACTED_DAYS_MAX:
        raise InvalidCampaign("exclude_contacted_days", f"Must be from 0 to {CONTACTED_DAYS_MAX}.")
    if not HOLDOUT_MIN <= wanted.holdout_percent <= HOLDOUT_MAX:
        raise InvalidCampaign("holdout_percent", f"Must be from {HOLDOUT_MIN} to {HOLDOUT_MAX}.")
    if not 1 <= wanted.conversion_days <= CONVERSION_DAYS_MAX:
        raise InvalidCampaign("conversion_days", f"Must be from 1 to {CONVERSION_DAYS_MAX}.")
    await _check_template(session, business_id, wanted.template_name, wanted.template_language)


async def _check_template(session: AsyncSession, business_id: int, name: str | None, language: str | None) -> None:
    """Outside the 24-hour window only a template the business registered as approved may go out."""
    if not name:
        return
    if not NAME_PATTERN.match(name) or not language or not LANGUAGE_PATTERN.match(language):
        raise InvalidCampaign("template_name", "Pick one of the business's approved templates.")
    found = await session.scalar(select(MessageTemplate.id).where(
        MessageTemplate.business_id == business_id, MessageTemplate.name == name, MessageTemplate.language == language,
        MessageTemplate.active.is_(True)))
    if found is None:
        raise InvalidCampaign("template_name", "Pick one of the business's approved templates (Settings → Templates).")
