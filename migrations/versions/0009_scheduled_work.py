"""Scheduled work: due rows for reminders, follow-ups, no-shows and digests; session feedback;
business settings for automated messages and the trainer's digest time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
PENDING = sa.text("status = 'pending'")
BUSINESS_COLUMNS = ("quiet_end_min", "quiet_start_min", "followup_after_min", "followup_enabled", "reminder_template",
                    "reminder_offsets_min")


def upgrade() -> None:
    """Create the due-work and feedback tables and add the settings columns."""
    op.create_table(
        "scheduled_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject_id", BIG_ID, nullable=False),
        sa.Column("offset_min", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("target_at", TIMESTAMPTZ, nullable=False),
        sa.Column("due_at", TIMESTAMPTZ, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("updated_at", TIMESTAMPTZ, nullable=False),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_scheduled_messages_business_id_businesses",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_scheduled_messages"),
        sa.UniqueConstraint("subject_id", "kind", "offset_min", "target_at", name="uq_scheduled_messages_work"),
    )
    op.create_index("ix_scheduled_messages_business_id", "scheduled_messages", ["business_id"])
    op.create_index("ix_scheduled_messages_due", "scheduled_messages", ["due_at"], postgresql_where=PENDING,
                    sqlite_where=PENDING)
    op.create_table(
        "session_feedback",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("booking_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ck_session_feedback_rating_1_to_5"),
        sa.ForeignKeyConstraint(["booking_id"], ["bookings.id"], name="fk_session_feedback_booking_id_bookings",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["business_id"], ["businesses.id"], name="fk_session_feedback_business_id_businesses",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name="fk_session_feedback_client_id_clients",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_session_feedback"),
        sa.UniqueConstraint("booking_id", name="uq_session_feedback_booking_id"),
    )
    op.create_index("ix_session_feedback_business_id", "session_feedback", ["business_id"])
    op.create_index("ix_session_feedback_client_id", "session_feedback", ["client_id"])
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reminder_offsets_min", sa.String(length=64), server_default=sa.text("'1440,120'"),
                                      nullable=False))
        batch_op.add_column(sa.Column("reminder_template", sa.String(length=64),
                                      server_default=sa.text("'appointment_reminder'"), nullable=False))
        batch_op.add_column(sa.Column("followup_enabled", sa.Boolean(), server_default=sa.text("true"), nullable=False))
        batch_op.add_column(sa.Column("followup_after_min", sa.Integer(), server_default=sa.text("60"), nullable=False))
        batch_op.add_column(sa.Column("quiet_start_min", sa.Integer(), server_default=sa.text("1320"), nullable=False))
        batch_op.add_column(sa.Column("quiet_end_min", sa.Integer(), server_default=sa.text("480"), nullable=False))
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("digest_at_min", sa.Integer(), nullable=True))


def downgrade() -> None:
    """Drop them again."""
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("digest_at_min")
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        for column in BUSINESS_COLUMNS:
            batch_op.drop_column(column)
    op.drop_table("session_feedback")
    op.drop_table("scheduled_messages")
