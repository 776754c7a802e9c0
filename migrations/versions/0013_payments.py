"""Payments: products, purchases, Stripe events, the business's connected account and payment rules, and
memberships billed by Stripe subscriptions, and trainers' commissions.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_account_id", sa.String(255), nullable=True))
        batch_op.add_column(sa.Column("past_due_grace_days", sa.Integer(), server_default=sa.text("7"), nullable=False))
        batch_op.add_column(sa.Column("payment_hold_min", sa.Integer(), server_default=sa.text("30"), nullable=False))
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stripe_subscription_id", sa.String(255), nullable=True))
        batch_op.add_column(sa.Column("stripe_customer_id", sa.String(255), nullable=True))
        batch_op.add_column(sa.Column("past_due_since", TIMESTAMPTZ, nullable=True))
        batch_op.create_index(batch_op.f("ix_memberships_stripe_subscription_id"), ["stripe_subscription_id"], unique=False)
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("held_until", TIMESTAMPTZ, nullable=True))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("commission_percent", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_table(
        "commission_rates",
        sa.Column("staff_id", BIG_ID, sa.ForeignKey("staff.id", name=op.f("fk_commission_rates_staff_id_staff"), ondelete="CASCADE"), nullable=False),
        sa.Column("service_id", BIG_ID, sa.ForeignKey("services.id", name=op.f("fk_commission_rates_service_id_services"), ondelete="CASCADE"), nullable=False),
        sa.Column("business_id", BIG_ID, sa.ForeignKey("businesses.id", name=op.f("fk_commission_rates_business_id_businesses"), ondelete="CASCADE"), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "service_id", name=op.f("pk_commission_rates")),
        sa.CheckConstraint("percent BETWEEN 0 AND 100", name=op.f("ck_commission_rates_percent_range")),
    )
    op.create_index(op.f("ix_commission_rates_business_id"), "commission_rates", ["business_id"])
    op.create_table(
        "products",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, sa.ForeignKey("businesses.id", name=op.f("fk_products_business_id_businesses"), ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=True),
        sa.Column("validity_days", sa.Integer(), nullable=True),
        sa.Column("period", sa.String(16), nullable=True),
        sa.Column("sessions_per_week", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_products_price_not_negative")),
        sa.CheckConstraint("kind IN ('pack', 'membership', 'drop_in')", name=op.f("ck_products_known_kind")),
    )
    op.create_index(op.f("ix_products_business_id"), "products", ["business_id"])
    op.create_table(
        "purchases",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, sa.ForeignKey("businesses.id", name=op.f("fk_purchases_business_id_businesses"), ondelete="CASCADE"), nullable=False),
        sa.Column("client_id", BIG_ID, sa.ForeignKey("clients.id", name=op.f("fk_purchases_client_id_clients"), ondelete="CASCADE"), nullable=False),
        sa.Column("product_id", BIG_ID, sa.ForeignKey("products.id", name=op.f("fk_purchases_product_id_products"), ondelete="RESTRICT"), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("method", sa.String(16), nullable=True),
        sa.Column("token", sa.String(64), nullable=False),
        sa.Column("checkout_session_id", sa.String(255), nullable=True),
        sa.Column("payment_intent_id", sa.String(255), nullable=True),
        sa.Column("receipt_url", sa.String(500), nullable=True),
        sa.Column("recorded_by", BIG_ID, sa.ForeignKey("admin_users.id", name=op.f("fk_purchases_recorded_by_admin_users"), ondelete="SET NULL"), nullable=True),
        sa.Column("note", sa.String(200), nullable=True),
        sa.Column("pack_entry_id", BIG_ID, sa.ForeignKey("credit_entries.id", name=op.f("fk_purchases_pack_entry_id_credit_entries"), ondelete="SET NULL"), nullable=True),
        sa.Column("membership_id", BIG_ID, sa.ForeignKey("memberships.id", name=op.f("fk_purchases_membership_id_memberships"), ondelete="SET NULL"), nullable=True),
        sa.Column("resume_booking", sa.String(120), nullable=True),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("paid_at", TIMESTAMPTZ, nullable=True),
        sa.Column("ended_at", TIMESTAMPTZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchases")),
        sa.UniqueConstraint("token", name=op.f("uq_purchases_token")),
        sa.UniqueConstraint("checkout_session_id", name=op.f("uq_purchases_checkout_session_id")),
        sa.CheckConstraint("amount_cents >= 0", name=op.f("ck_purchases_amount_not_negative")),
    )
    op.create_index(op.f("ix_purchases_business_id"), "purchases", ["business_id"])
    op.create_index(op.f("ix_purchases_client_id"), "purchases", ["client_id"])
    op.create_index(op.f("ix_purchases_product_id"), "purchases", ["product_id"])
    op.create_index(op.f("ix_purchases_payment_intent_id"), "purchases", ["payment_intent_id"])
    op.create_index(op.f("ix_purchases_business_created"), "purchases", ["business_id", "created_at"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.String(255), nullable=False),
        sa.Column("type", sa.String(100), nullable=False),
        sa.Column("account", sa.String(255), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("received_at", TIMESTAMPTZ, nullable=False),
        sa.Column("processed_at", TIMESTAMPTZ, nullable=True),
        sa.Column("outcome", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_events")),
    )
    op.create_index(op.f("ix_payment_events_pending"), "payment_events", ["received_at"],
                    postgresql_where=sa.text("processed_at IS NULL"), sqlite_where=sa.text("processed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_commission_rates_business_id", table_name="commission_rates")
    op.drop_table("commission_rates")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("commission_percent")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("held_until")
    op.drop_index("ix_payment_events_pending", table_name="payment_events")
    op.drop_table("payment_events")
    op.drop_table("purchases")
    op.drop_table("products")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_stripe_subscription_id"))
        batch_op.drop_column("past_due_since")
        batch_op.drop_column("stripe_customer_id")
        batch_op.drop_column("stripe_subscription_id")
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.drop_column("payment_hold_min")
        batch_op.drop_column("past_due_grace_days")
        batch_op.drop_column("stripe_account_id")
