"""Email as a second channel: the mails waiting to go out, panel password resets, a client's email, and where a
trainer's digest goes.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('outgoing_emails',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('attachments', JSON, nullable=False),
    sa.Column('status', sa.String(length=16), server_default=sa.text("'queued'"), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('next_attempt_at', TIMESTAMPTZ, nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('sent_at', TIMESTAMPTZ, nullable=True),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_outgoing_emails_business_id', 'outgoing_emails', ['business_id'])
    op.create_index('ix_outgoing_emails_due', 'outgoing_emails', ['status', 'next_attempt_at'])
    op.create_table('password_resets',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('admin_user_id', BIG_ID, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('expires_at', TIMESTAMPTZ, nullable=False),
    sa.Column('used_at', TIMESTAMPTZ, nullable=True),
    sa.ForeignKeyConstraint(['admin_user_id'], ['admin_users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash', name='uq_password_resets_token_hash')
    )
    op.create_index('ix_password_resets_admin_user_id', 'password_resets', ['admin_user_id'])
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_channel', sa.String(length=16), server_default=sa.text("'whatsapp'"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('digest_channel')
    with op.batch_alter_table('clients', schema=None) as batch_op:
        batch_op.drop_column('email')
    op.drop_index('ix_password_resets_admin_user_id', table_name='password_resets')
    op.drop_table('password_resets')
    op.drop_index('ix_outgoing_emails_due', table_name='outgoing_emails')
    op.drop_index('ix_outgoing_emails_business_id', table_name='outgoing_emails')
    op.drop_table('outgoing_emails')
