"""Win-back campaigns: who a campaign chose, the arm each member drew (treated or holdout), what was sent
and when each came back.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('campaigns',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('segment', sa.String(length=16), nullable=False),
    sa.Column('min_risk', sa.Float(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('template_name', sa.String(length=512), nullable=True),
    sa.Column('template_language', sa.String(length=15), nullable=True),
    sa.Column('book_button', sa.Boolean(), nullable=False),
    sa.Column('send_from_min', sa.Integer(), nullable=False),
    sa.Column('send_until_min', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=False),
    sa.Column('exclude_contacted_days', sa.Integer(), nullable=False),
    sa.Column('holdout_percent', sa.Integer(), nullable=False),
    sa.Column('conversion_days', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('excluded', JSON, nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('started_at', TIMESTAMPTZ, nullable=True),
    sa.Column('finished_at', TIMESTAMPTZ, nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_campaigns_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_index('ix_campaigns_business_created', 'campaigns', ['business_id', 'created_at'], unique=False)
    op.create_table('campaign_members',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('campaign_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('arm', sa.String(length=8), nullable=False),
    sa.Column('assigned_at', TIMESTAMPTZ, nullable=False),
    sa.Column('sent_at', TIMESTAMPTZ, nullable=True),
    sa.Column('skipped_reason', sa.String(length=64), nullable=True),
    sa.Column('converted_at', TIMESTAMPTZ, nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_campaign_members_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_members_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_campaign_members_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_members')),
    sa.UniqueConstraint('campaign_id', 'client_id', name='uq_campaign_members_client')
    )
    op.create_index('ix_campaign_members_client', 'campaign_members', ['client_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_campaign_members_client', table_name='campaign_members')
    op.drop_table('campaign_members')
    op.drop_index('ix_campaigns_business_created', table_name='campaigns')
    op.drop_table('campaigns')
