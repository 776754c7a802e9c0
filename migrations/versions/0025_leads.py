"""Leads and their sources: link codes, each first contact's source, and the business's trial service.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("businesses") as batch:
        batch.add_column(sa.Column("trial_service_id", BIG_ID, nullable=True))
    op.create_table(
        "lead_codes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("archived_at", TIMESTAMPTZ, nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_lead_codes_business_id_businesses",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_lead_codes"),
        sa.UniqueConstraint("business_id", "code", name="uq_lead_codes_business_code"),
    )
    op.create_index("ix_lead_codes_business_id", "lead_codes", ["business_id"])
    op.create_table(
        "leads",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_detail", sa.String(length=200), nullable=True),
        sa.Column("code_id", BIG_ID, nullable=True),
        sa.Column("referral", JSON, nullable=True),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("lost_at", TIMESTAMPTZ, nullable=True),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_leads_business_id_businesses",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_leads_client_id_clients", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["code_id"], ["lead_codes.id"], name="fk_leads_code_id_lead_codes", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_leads"),
        sa.UniqueConstraint("client_id", name="uq_leads_client"),
    )
    op.create_index("ix_leads_business_created", "leads", ["business_id", "created_at"])


def downgrade() -> None:
    op.drop_table("leads")
    op.drop_table("lead_codes")
    with op.batch_alter_table("businesses") as batch:
        batch.drop_column("trial_service_id")
