"""Messages the bot did not understand, kept for staff to say what they meant (the panel's Not understood page);
the other names clients give a service ("spin" for Spinning).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('unclear_messages',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=True),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('key', sa.String(length=1000), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('guess', sa.String(length=32), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.Column('options', JSON, nullable=False),
    sa.Column('received_at', TIMESTAMPTZ, nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=True),
    sa.Column('taught_by', sa.BigInteger(), nullable=True),
    sa.Column('taught_at', TIMESTAMPTZ, nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.String(length=300), server_default=sa.text("''"), nullable=False))
    op.create_index('ix_unclear_messages_business_received', 'unclear_messages', ['business_id', 'received_at'])
    op.create_index('ix_unclear_messages_taught', 'unclear_messages', ['business_id', 'key'],
                    postgresql_where=sa.text('intent IS NOT NULL'), sqlite_where=sa.text('intent IS NOT NULL'))


def downgrade() -> None:
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_column('aliases')
    op.drop_index('ix_unclear_messages_taught', table_name='unclear_messages')
    op.drop_index('ix_unclear_messages_business_received', table_name='unclear_messages')
    op.drop_table('unclear_messages')
