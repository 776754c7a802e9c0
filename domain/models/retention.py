"""Retention: payments from a gym's previous system (live payments are purchases), and churn risk scores."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class PaymentRecord(Base):
    """One payment a member made (or that failed) before the gym came to FitZap."""

    __tablename__ = "payment_records"
    __table_args__ = (UniqueConstraint("client_id", "paid_on", "amount_cents", "status", name="uq_payment_records_line"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    paid_on: Mapped[date] = mapped_column(Date)
    amount_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))  # paid | failed


class ChurnScore(Base):
    """A member's risk of leaving within 60 days, as scored on a day, with its reasons."""

    __tablename__ = "churn_scores"
    __table_args__ = (Index("ix_churn_scores_client_day", "client_id", "scored_on"),
                      Index("ix_churn_scores_business_day", "business_id", "scored_on"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    scored_on: Mapped[date] = mapped_column(Date)
    risk: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(Json, default=list)
    model_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChurnModel(Base):
    """A trained churn model, saved with skops: one business's own, or the global one (business_id NULL)."""

    __tablename__ = "churn_models"
    __table_args__ = (Index("ix_churn_models_business", "business_id", "trained_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(64), unique=True)
    trained_on: Mapped[date] = mapped_column(Date)  # the as-of day: nothing after it was seen
    metrics: Mapped[dict[str, object]] = mapped_column(Json, default=dict)  # rows, leavers, the latest cutoff's scores
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime)
