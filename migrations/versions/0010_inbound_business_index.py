"""Drop inbound_messages' index on business_id alone: (business_id, received_at) serves the same
lookups, and every stored message and every processed mark paid for both.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Drop the redundant index."""
    op.drop_index("ix_inbound_messages_business_id", table_name="inbound_messages")


def downgrade() -> None:
    """Put it back."""
    op.create_index("ix_inbound_messages_business_id", "inbound_messages", ["business_id"])
