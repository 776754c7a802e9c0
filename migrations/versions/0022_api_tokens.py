"""API tokens (per business, stored hashed, read or write) and the answers kept for idempotent POSTs.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('last_used_at', TIMESTAMPTZ, nullable=True),
    sa.Column('revoked_at', TIMESTAMPTZ, nullable=True),
    sa.CheckConstraint("scope IN ('read', 'write')", name=op.f('ck_api_tokens_scope')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index('ix_api_tokens_business_id', 'api_tokens', ['business_id'])
    op.create_table('api_idempotency_keys',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('token_id', BIG_ID, nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_keys')),
    sa.UniqueConstraint('token_id', 'key', name=op.f('uq_api_idempotency_keys_token_id'))
    )
    op.create_index('ix_api_idempotency_keys_created_at', 'api_idempotency_keys', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_api_idempotency_keys_created_at', table_name='api_idempotency_keys')
    op.drop_table('api_idempotency_keys')
    op.drop_index('ix_api_tokens_business_id', table_name='api_tokens')
    op.drop_table('api_tokens')
