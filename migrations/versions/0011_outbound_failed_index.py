"""Index failed sends by when they failed: /metrics counts the last hour's across businesses.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FAILED = sa.text("status = 'failed'")


def upgrade() -> None:
    """Only failed rows are indexed: sends that went through pay nothing for it."""
    op.create_index("ix_outbound_failed_at", "outbound_messages", ["failed_at"],
                    postgresql_where=_FAILED, sqlite_where=_FAILED)


def downgrade() -> None:
    """Drop it."""
    op.drop_index("ix_outbound_failed_at", table_name="outbound_messages")
