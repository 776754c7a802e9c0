"""Retention: a gym's imported history (clients' old member id, joining day, plan and leaving day; visits'
durations; payments), churn risk scores and trained churn models.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table('churn_models',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=True),
    sa.Column('version', sa.String(length=64), nullable=False),
    sa.Column('trained_on', sa.Date(), nullable=False),
    sa.Column('metrics', JSON, nullable=False),
    sa.Column('blob', sa.LargeBinary(), nullable=False),
    sa.Column('trained_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_churn_models_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_churn_models')),
    sa.UniqueConstraint('version', name=op.f('uq_churn_models_version'))
    )
    op.create_index('ix_churn_models_business', 'churn_models', ['business_id', 'trained_at'], unique=False)
    op.create_table('churn_scores',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('scored_on', sa.Date(), nullable=False),
    sa.Column('risk', sa.Float(), nullable=False),
    sa.Column('reasons', JSON, nullable=False),
    sa.Column('model_version', sa.String(length=64), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_churn_scores_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_churn_scores_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_churn_scores'))
    )
    op.create_index('ix_churn_scores_business_day', 'churn_scores', ['business_id', 'scored_on'], unique=False)
    op.create_index('ix_churn_scores_client_day', 'churn_scores', ['client_id', 'scored_on'], unique=False)
    op.create_table('payment_records',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('amount_cents', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_payment_records_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_payment_records_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_records')),
    sa.UniqueConstraint('client_id', 'paid_on', 'amount_cents', 'status', name='uq_payment_records_line')
    )
    op.create_index(op.f('ix_payment_records_business_id'), 'payment_records', ['business_id'], unique=False)
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.add_column(sa.Column('duration_min', sa.Integer(), nullable=True))
    op.create_index('uq_check_ins_imported', 'check_ins', ['client_id', 'checked_in_at'], unique=True, postgresql_where=sa.text("method = 'import'"), sqlite_where=sa.text("method = 'import'"))
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('joined_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('plan_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('plan_price_cents', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('left_on', sa.Date(), nullable=True))
    op.create_index('uq_clients_business_external', 'clients', ['business_id', 'external_id'], unique=True, postgresql_where=sa.text('external_id IS NOT NULL'), sqlite_where=sa.text('external_id IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('uq_clients_business_external', table_name='clients', postgresql_where=sa.text('external_id IS NOT NULL'), sqlite_where=sa.text('external_id IS NOT NULL'))
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("left_on")
        batch_op.drop_column("plan_price_cents")
        batch_op.drop_column("plan_name")
        batch_op.drop_column("joined_on")
        batch_op.drop_column("external_id")
    op.drop_index('uq_check_ins_imported', table_name='check_ins', postgresql_where=sa.text("method = 'import'"), sqlite_where=sa.text("method = 'import'"))
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_column("duration_min")
    op.drop_index(op.f('ix_payment_records_business_id'), table_name='payment_records')
    op.drop_table('payment_records')
    op.drop_index('ix_churn_scores_client_day', table_name='churn_scores')
    op.drop_index('ix_churn_scores_business_day', table_name='churn_scores')
    op.drop_table('churn_scores')
    op.drop_index('ix_churn_models_business', table_name='churn_models')
    op.drop_table('churn_models')
