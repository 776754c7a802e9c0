"""Client admin: a client can be deactivated; trainers keep notes about clients.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add clients.deactivated_at and the client_notes table."""
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", TIMESTAMPTZ, nullable=True))
    op.create_table(
        "client_notes",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("author_user_id", sa.BigInteger(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name=op.f("fk_client_notes_business_id_businesses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_client_notes_client_id_clients"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_notes")),
    )
    with op.batch_alter_table("client_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_notes_business_id"), ["business_id"], unique=False)
        batch_op.create_index("ix_client_notes_client_at", ["client_id", "created_at"], unique=False)


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("client_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_client_notes_client_at")
        batch_op.drop_index(batch_op.f("ix_client_notes_business_id"))
    op.drop_table("client_notes")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("deactivated_at")
