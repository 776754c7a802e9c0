"""Win-back campaigns: who a campaign chose, which arm each member drew, what was sent and who came back."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class Campaign(Base):
    """A message to a chosen group of clients, with a random holdout that gets nothing, to measure its effect."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_business_created", "business_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    segment: Mapped[str] = mapped_column(String(16))  # at_risk | inactive_30d | all_active
    min_risk: Mapped[float] = mapped_column(Float, default=0.0)  # on the latest scoring day; 0: no score needed
    message: Mapped[str] = mapped_column(Text)  # with {first_name} and {business}
    template_name: Mapped[str | None] = mapped_column(String(512))  # outside the 24-hour window; none: skipped there
    template_language: Mapped[str | None] = mapped_column(String(15))
    book_button: Mapped[bool] = mapped_column(Boolean, default=False)
    send_from_min: Mapped[int] = mapped_column(Integer)  # local minutes after midnight
    send_until_min: Mapped[int] = mapped_column(Integer)
    daily_cap: Mapped[int] = mapped_column(Integer)
    exclude_contacted_days: Mapped[int] = mapped_column(Integer, default=0)
    holdout_percent: Mapped[int] = mapped_column(Integer)
    conversion_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | running | finished
    excluded: Mapped[dict[str, int]] = mapped_column(Json, default=dict)  # at the start: why, how many
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CampaignMember(Base):
    """One client a started campaign chose: treated (messaged) or holdout (left alone), and whether they came back."""

    __tablename__ = "campaign_members"
    __table_args__ = (UniqueConstraint("campaign_id", "client_id", name="uq_campaign_members_client"),
                      Index("ix_campaign_members_client", "client_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    arm: Mapped[str] = mapped_column(String(8))  # treated | holdout
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    skipped_reason: Mapped[str | None] = mapped_column(String(64))
