"""Panel sessions that can be ended (admin_users.session_version) and login attempts counted in one row per
account or address (login_attempts; login_failures goes).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Every cookie made before has no session version, so everyone logs in once more; a counter per key replaces
    the failure rows (recent failures are forgotten, which only lifts a lock early)."""
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.create_table(
        "login_attempts",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("window_started_at", TIMESTAMPTZ, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")


def downgrade() -> None:
    """Back to one row per failure, starting empty, and sessions that only expire."""
    op.create_table(
        "login_failures",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", TIMESTAMPTZ, nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])
    op.drop_table("login_attempts")
    with op.batch_alter_table("admin_users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
