"""Dashboard: messages in and out of a business by time (indexes for the weekly counts).

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-23
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index inbound messages by (business, received_at) and outbound ones by (business, created_at)."""
    op.create_index("ix_inbound_business_received", "inbound_messages", ["business_id", "received_at"])
    op.create_index("ix_outbound_business_created", "outbound_messages", ["business_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbound_business_created", table_name="outbound_messages")
    op.drop_index("ix_inbound_business_received", table_name="inbound_messages")
