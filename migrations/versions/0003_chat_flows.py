"""Chat flows: client consent and erasure, business check-in location and QR code.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the consent/erasure and check-in columns."""
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("marketing_consent", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("consent_at", TIMESTAMPTZ, nullable=True))
        batch_op.add_column(sa.Column("erased_at", TIMESTAMPTZ, nullable=True))
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("latitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("longitude", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("checkin_radius_m", sa.Integer(), server_default=sa.text("150"), nullable=False))
        batch_op.add_column(sa.Column("checkin_code", sa.String(length=64), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        for column in ("checkin_code", "checkin_radius_m", "longitude", "latitude"):
            batch_op.drop_column(column)
    with op.batch_alter_table("clients", schema=None) as batch_op:
        for column in ("erased_at", "consent_at", "marketing_consent"):
            batch_op.drop_column(column)
