"""Sign-up and plans: pending sign-ups, each business's platform plan and subscription, monthly plan usage; a business
may exist before its WhatsApp number is connected, and may have its own Meta app's secret.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.alter_column("phone_number_id", existing_type=sa.String(length=64), nullable=True)
        batch.add_column(sa.Column("plan", sa.String(length=16), server_default=sa.text("'enterprise'"), nullable=False))
        batch.add_column(sa.Column("plan_status", sa.String(length=16), server_default=sa.text("'active'"), nullable=False))
        batch.add_column(sa.Column("plan_subscription_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("plan_customer_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("plan_ends_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("whatsapp_app_secret_encrypted", sa.Text(), nullable=True))
        batch.create_unique_constraint("uq_businesses_plan_subscription_id", ["plan_subscription_id"])
        batch.create_check_constraint(op.f("ck_businesses_plan"), "plan IN ('free', 'starter', 'pro', 'enterprise')")
        batch.create_check_constraint(op.f("ck_businesses_plan_status"), "plan_status IN ('active', 'past_due', 'canceling')")
    op.create_table(
        "signups",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("business_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("expires_at", TIMESTAMPTZ, nullable=False),
        sa.Column("confirmed_at", TIMESTAMPTZ, nullable=True),
        sa.Column("business_id", BIG_ID, nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_signups_business_id_businesses",
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_signups"),
        sa.UniqueConstraint("token_hash", name="uq_signups_token_hash"),
    )
    op.create_index("ix_signups_email", "signups", ["email"])
    op.create_table(
        "plan_usage",
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("automated_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("automated_held", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("clients_refused", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_plan_usage_business_id_businesses",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("business_id", "month", name="pk_plan_usage"),
    )


def downgrade() -> None:
    op.drop_table("plan_usage")
    op.drop_table("signups")
    op.execute("DELETE FROM businesses WHERE phone_number_id IS NULL")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_constraint(op.f("ck_businesses_plan_status"), type_="check")
        batch.drop_constraint(op.f("ck_businesses_plan"), type_="check")
        batch.drop_constraint("uq_businesses_plan_subscription_id", type_="unique")
        for column in ("whatsapp_app_secret_encrypted", "plan_ends_on", "plan_customer_id", "plan_subscription_id", "plan_status", "plan"):
            batch.drop_column(column)
        batch.alter_column("phone_number_id", existing_type=sa.String(length=64), nullable=False)
