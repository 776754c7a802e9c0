"""Money: what a business sells (products), what a client bought (purchases) and the provider's events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class Product(Base):
    """A session pack (N credits valid for some days), a membership (a period, unlimited or N a week)
    or a single drop-in (one credit). Prices in integer cents of the business's currency."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("price_cents >= 0", name="price_not_negative"),
        CheckConstraint("kind IN ('pack', 'membership', 'drop_in')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    price_cents: Mapped[int] = mapped_column(Integer)
    credits: Mapped[int | None] = mapped_column(Integer)  # a pack's (a drop-in is 1)
    validity_days: Mapped[int | None] = mapped_column(Integer)  # a pack's credits lapse after this many days
    period: Mapped[str | None] = mapped_column(String(16))  # a membership's: month | quarter | year
    sessions_per_week: Mapped[int | None] = mapped_column(Integer)  # a membership's; None = unlimited
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Purchase(Base):
    """One client buying one product: pending until paid (online or recorded by staff), then paid,
    refunded, expired (the checkout lapsed) or failed."""

    __tablename__ = "purchases"
    __table_args__ = (
        CheckConstraint("amount_cents >= 0", name="amount_not_negative"),
        Index("ix_purchases_business_created", "business_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))  # pending | paid | refunded | expired | failed
    # card | pix (online) or cash | pix_manual | other (recorded by staff); None until paid.
    method: Mapped[str | None] = mapped_column(String(16))
    # The secret part of the chat's payment link (/pay/<token>).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), index=True)
    receipt_url: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(200))
    # What the purchase gave: the pack's ledger entry or the membership.
    pack_entry_id: Mapped[int | None] = mapped_column(ForeignKey("credit_entries.id", ondelete="SET NULL"))
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id", ondelete="SET NULL"))
    # A booking the client was making when the bot offered the products: made once paid.
    resume_booking: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # refunded, expired or failed


class PaymentEvent(Base):
    """A verified Stripe event, stored before it is answered and applied once (its id is unique)."""

    __tablename__ = "payment_events"
    __table_args__ = (Index("ix_payment_events_pending", "received_at", postgresql_where=text("processed_at IS NULL"),
                            sqlite_where=text("processed_at IS NULL")),)

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(255))  # the connected account it came from
    payload: Mapped[dict] = mapped_column(Json)  # type: ignore[type-arg]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(200))


class CommissionRate(Base):
    """A trainer's commission on one service, instead of their own percentage."""

    __tablename__ = "commission_rates"
    __table_args__ = (CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    percent: Mapped[int] = mapped_column(Integer)
