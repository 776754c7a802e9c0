"""Credits and plans: an append-only ledger, a balance the database keeps non-negative, memberships."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime


class CreditEntry(Base):
    """One movement of credits. Never updated or deleted (a trigger refuses it on PostgreSQL).

    A 'purchase' entry is a pack: its credits are the pack's, it may expire, and later entries
    that spend, refund or expire those credits point back at it through `pack_id`.
    """

    __tablename__ = "credit_entries"
    __table_args__ = (
        CheckConstraint("delta <> 0", name="delta_not_zero"),
        Index("ix_credit_entries_client", "client_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # purchase | spend | refund | expire | adjust | revoke
    delta: Mapped[int] = mapped_column(Integer)
    pack_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id", ondelete="CASCADE"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CreditBalance(Base):
    """A client's spendable credits; the CHECK makes a negative balance impossible."""

    __tablename__ = "credit_balances"
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    balance: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Membership(Base):
    """A plan: unlimited sessions (or up to a weekly number) between two local dates."""

    __tablename__ = "memberships"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    plan_name: Mapped[str] = mapped_column(String(120))
    sessions_per_week: Mapped[int | None] = mapped_column(Integer)  # None = unlimited
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | cancelled | past_due
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Billed by a Stripe subscription: renewed by its invoices, dunned when one fails (migration 0013).
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255))
    past_due_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
