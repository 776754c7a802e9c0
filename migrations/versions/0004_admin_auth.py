"""Admin panel logins: users (owner/trainer) and failed-login records for throttling.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create admin_users and login_failures."""
    op.create_table(
        "admin_users",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("business_id", BIG_ID, sa.ForeignKey("businesses.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(254), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("staff_id", BIG_ID, sa.ForeignKey("staff.id", ondelete="SET NULL"), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("last_login_at", TIMESTAMPTZ, nullable=True),
        sa.CheckConstraint("role IN ('owner', 'trainer')", name="ck_admin_users_role"),
    )
    op.create_index("ix_admin_users_business_id", "admin_users", ["business_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", TIMESTAMPTZ, nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_admin_users_business_id", table_name="admin_users")
    op.drop_table("admin_users")
