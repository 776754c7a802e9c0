"""Message path: businesses, clients, conversations, inbox, outbox and status events.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Hand-checked against domain/models.py. The column types are spelled out here instead of
imported from domain.sql.types so this revision keeps meaning the same schema when the models
change later.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# BIGINT on PostgreSQL; on SQLite only a column declared exactly INTEGER PRIMARY KEY
# is the rowid and auto-increments.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# timestamptz on PostgreSQL; plain DATETIME text on SQLite (the model stores naive UTC there).
TIMESTAMPTZ = sa.DateTime(timezone=True)
# "false" is understood by PostgreSQL and by SQLite >= 3.23 (stored as 0).
FALSE = sa.text("false")
ZERO = sa.text("0")


def _business_fk(table: str) -> sa.ForeignKeyConstraint:
    """FK from ``table``.business_id to businesses, named like the metadata convention does."""
    return sa.ForeignKeyConstraint(
        ["business_id"], ["businesses.id"], name=f"fk_{table}_business_id_businesses", ondelete="CASCADE"
    )


def _client_fk(table: str) -> sa.ForeignKeyConstraint:
    """FK from ``table``.client_id to clients, named like the metadata convention does."""
    return sa.ForeignKeyConstraint(
        ["client_id"], ["clients.id"], name=f"fk_{table}_client_id_clients", ondelete="CASCADE"
    )


def upgrade() -> None:
    """Create the message-path tables."""
    op.create_table(
        "businesses",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone_number_id", sa.String(length=64), nullable=False),
        sa.Column("display_phone_number", sa.String(length=32), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_businesses"),
        sa.UniqueConstraint("phone_number_id", name="uq_businesses_phone_number_id"),
    )

    op.create_table(
        "clients",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("contact_key", sa.String(length=100), nullable=False),
        sa.Column("wa_id", sa.String(length=32), nullable=True),
        sa.Column("phone_e164", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.String(length=80), nullable=True),
        sa.Column("profile_name", sa.String(length=120), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("opted_out", sa.Boolean(), server_default=FALSE, nullable=False),
        sa.Column("last_inbound_at", TIMESTAMPTZ, nullable=True),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        _business_fk("clients"),
        sa.PrimaryKeyConstraint("id", name="pk_clients"),
        sa.UniqueConstraint("business_id", "contact_key", name="uq_clients_business_contact"),
    )
    op.create_index("ix_clients_business_id", "clients", ["business_id"])

    op.create_table(
        "conversations",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("state", JSON, nullable=False),
        sa.Column("handoff", sa.Boolean(), server_default=FALSE, nullable=False),
        sa.Column("version", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("updated_at", TIMESTAMPTZ, nullable=False),
        _business_fk("conversations"),
        _client_fk("conversations"),
        sa.PrimaryKeyConstraint("id", name="pk_conversations"),
        sa.UniqueConstraint("client_id", name="uq_conversations_client_id"),
    )
    op.create_index("ix_conversations_business_id", "conversations", ["business_id"])

    op.create_table(
        "inbound_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("provider_message_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("sent_at", TIMESTAMPTZ, nullable=False),
        sa.Column("received_at", TIMESTAMPTZ, nullable=False),
        sa.Column("processed_at", TIMESTAMPTZ, nullable=True),
        _business_fk("inbound_messages"),
        _client_fk("inbound_messages"),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_messages"),
        sa.UniqueConstraint("provider_message_id", name="uq_inbound_messages_provider_message_id"),
    )
    op.create_index("ix_inbound_messages_business_id", "inbound_messages", ["business_id"])
    op.create_index("ix_inbound_messages_client_id", "inbound_messages", ["client_id"])
    op.create_index(
        "ix_inbound_pending",
        "inbound_messages",
        ["client_id", "sent_at", "id"],
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    )

    op.create_table(
        "outbound_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("client_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("provider_message_id", sa.String(length=255), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=ZERO, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", TIMESTAMPTZ, nullable=False),
        sa.Column("created_at", TIMESTAMPTZ, nullable=False),
        sa.Column("updated_at", TIMESTAMPTZ, nullable=False),
        sa.Column("sent_at", TIMESTAMPTZ, nullable=True),
        sa.Column("delivered_at", TIMESTAMPTZ, nullable=True),
        sa.Column("read_at", TIMESTAMPTZ, nullable=True),
        sa.Column("failed_at", TIMESTAMPTZ, nullable=True),
        _business_fk("outbound_messages"),
        _client_fk("outbound_messages"),
        sa.PrimaryKeyConstraint("id", name="pk_outbound_messages"),
        sa.UniqueConstraint("provider_message_id", name="uq_outbound_messages_provider_message_id"),
    )
    op.create_index(
        "ix_outbound_unfinished",
        "outbound_messages",
        ["client_id", "id"],
        postgresql_where=sa.text("status IN ('queued', 'sending')"),
        sqlite_where=sa.text("status IN ('queued', 'sending')"),
    )
    op.create_index("ix_outbound_business_status", "outbound_messages", ["business_id", "status"])
    op.create_index("ix_outbound_messages_client_id", "outbound_messages", ["client_id"])

    op.create_table(
        "message_status_events",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("business_id", BIG_ID, nullable=False),
        sa.Column("provider_message_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("occurred_at", TIMESTAMPTZ, nullable=False),
        sa.Column("error", JSON, nullable=True),
        _business_fk("message_status_events"),
        sa.PrimaryKeyConstraint("id", name="pk_message_status_events"),
        sa.UniqueConstraint("provider_message_id", "status", name="uq_status_event"),
    )
    op.create_index("ix_message_status_events_business_id", "message_status_events", ["business_id"])


def downgrade() -> None:
    """Drop the message-path tables, children first; their indexes go with them."""
    op.drop_table("message_status_events")
    op.drop_table("outbound_messages")
    op.drop_table("inbound_messages")
    op.drop_table("conversations")
    op.drop_table("clients")
    op.drop_table("businesses")
