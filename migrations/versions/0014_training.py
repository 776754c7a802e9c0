"""Training: custom exercises, programs (templates and clients' copies), workout sessions and logs,
personal records, measurements, meal plans, challenges; the client's own time zone and the business's
weekly streak rule.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIMESTAMPTZ = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
PHOTO_PENDING = "kind = 'photo' AND media_path IS NULL"


def upgrade() -> None:
    op.create_table('challenges',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_challenges_ends_after_start')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_challenges_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges'))
    )
    op.create_index(op.f('ix_challenges_business_id'), 'challenges', ['business_id'], unique=False)
    op.create_table('custom_exercises',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name_pt', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('aliases', JSON, nullable=False),
    sa.Column('muscles', JSON, nullable=False),
    sa.Column('equipment', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('video_url', sa.String(length=500), nullable=True),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_custom_exercises_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_exercises'))
    )
    op.create_index(op.f('ix_custom_exercises_business_id'), 'custom_exercises', ['business_id'], unique=False)
    op.create_table('challenge_entries',
    sa.Column('challenge_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('on_leaderboard', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('joined_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_challenge_entries_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_challenge_entries_challenge_id_challenges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_challenge_entries_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'client_id', name=op.f('pk_challenge_entries'))
    )
    op.create_index(op.f('ix_challenge_entries_business_id'), 'challenge_entries', ['business_id'], unique=False)
    op.create_table('meal_plans',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=True),
    sa.Column('template_id', BIG_ID, nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_meal_plans_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_meal_plans_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['meal_plans.id'], name=op.f('fk_meal_plans_template_id_meal_plans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meal_plans'))
    )
    op.create_index(op.f('ix_meal_plans_business_id'), 'meal_plans', ['business_id'], unique=False)
    op.create_index(op.f('ix_meal_plans_client_id'), 'meal_plans', ['client_id'], unique=False)
    op.create_table('measurements',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=4), nullable=True),
    sa.Column('media_id', sa.String(length=128), nullable=True),
    sa.Column('media_path', sa.String(length=300), nullable=True),
    sa.Column('taken_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_measurements_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_measurements_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurements'))
    )
    op.create_index(op.f('ix_measurements_business_id'), 'measurements', ['business_id'], unique=False)
    op.create_index('ix_measurements_client', 'measurements', ['client_id', 'kind', 'taken_at'], unique=False)
    op.create_index("ix_measurements_photo_pending", "measurements", ["taken_at"], unique=False,
                    postgresql_where=sa.text(PHOTO_PENDING), sqlite_where=sa.text(PHOTO_PENDING))
    op.create_table('programs',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=True),
    sa.Column('template_id', BIG_ID, nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('weeks BETWEEN 1 AND 52', name=op.f('ck_programs_weeks_range')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_programs_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_programs_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['programs.id'], name=op.f('fk_programs_template_id_programs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs'))
    )
    op.create_index(op.f('ix_programs_business_id'), 'programs', ['business_id'], unique=False)
    op.create_index('ix_programs_client_active', 'programs', ['client_id', 'active'], unique=False)
    op.create_table('meals',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('plan_id', BIG_ID, nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('at_time', sa.String(length=5), nullable=True),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('notes', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['meal_plans.id'], name=op.f('fk_meals_plan_id_meal_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meals'))
    )
    op.create_index('ix_meals_plan', 'meals', ['plan_id', 'position'], unique=False)
    op.create_table('program_days',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('program_id', BIG_ID, nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_program_days_weekday_range')),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_program_days_program_id_programs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_days'))
    )
    op.create_index('ux_program_days_slot', 'program_days', ['program_id', 'week', 'weekday'], unique=True)
    op.create_table('program_items',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('day_id', BIG_ID, nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('exercise_key', sa.String(length=80), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('distance_m', sa.Integer(), nullable=True),
    sa.Column('load_kg', sa.Float(), nullable=True),
    sa.Column('load_pct_1rm', sa.Integer(), nullable=True),
    sa.Column('rpe', sa.Float(), nullable=True),
    sa.Column('rest_s', sa.Integer(), nullable=True),
    sa.Column('superset', sa.String(length=8), nullable=True),
    sa.Column('progression_kg', sa.Float(), nullable=True),
    sa.Column('notes', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['day_id'], ['program_days.id'], name=op.f('fk_program_items_day_id_program_days'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_program_items'))
    )
    op.create_index('ix_program_items_day', 'program_items', ['day_id', 'position'], unique=False)
    op.create_table('workout_sessions',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('program_day_id', BIG_ID, nullable=True),
    sa.Column('started_at', TIMESTAMPTZ, nullable=False),
    sa.Column('finished_at', TIMESTAMPTZ, nullable=True),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_workout_sessions_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_workout_sessions_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_day_id'], ['program_days.id'], name=op.f('fk_workout_sessions_program_day_id_program_days'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout_sessions'))
    )
    op.create_index(op.f('ix_workout_sessions_business_id'), 'workout_sessions', ['business_id'], unique=False)
    op.create_index('ix_workout_sessions_client_day', 'workout_sessions', ['client_id', 'local_date'], unique=False)
    op.create_table('workout_logs',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('session_id', BIG_ID, nullable=False),
    sa.Column('item_id', BIG_ID, nullable=True),
    sa.Column('exercise_key', sa.String(length=80), nullable=False),
    sa.Column('sets', sa.Integer(), nullable=True),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('load', sa.Float(), nullable=True),
    sa.Column('unit', sa.String(length=4), nullable=True),
    sa.Column('load_kg', sa.Float(), nullable=True),
    sa.Column('distance_m', sa.Float(), nullable=True),
    sa.Column('duration_s', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=300), nullable=True),
    sa.Column('logged_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_workout_logs_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_workout_logs_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['program_items.id'], name=op.f('fk_workout_logs_item_id_program_items'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['workout_sessions.id'], name=op.f('fk_workout_logs_session_id_workout_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workout_logs'))
    )
    op.create_index(op.f('ix_workout_logs_business_id'), 'workout_logs', ['business_id'], unique=False)
    op.create_index('ix_workout_logs_client_exercise', 'workout_logs', ['client_id', 'exercise_key', 'logged_at'], unique=False)
    op.create_index(op.f('ix_workout_logs_session_id'), 'workout_logs', ['session_id'], unique=False)
    op.create_table('personal_records',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('log_id', BIG_ID, nullable=False),
    sa.Column('exercise_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=True),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('previous', sa.Float(), nullable=True),
    sa.Column('achieved_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_personal_records_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_personal_records_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['log_id'], ['workout_logs.id'], name=op.f('fk_personal_records_log_id_workout_logs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_records'))
    )
    op.create_index(op.f('ix_personal_records_business_id'), 'personal_records', ['business_id'], unique=False)
    op.create_index('ix_personal_records_client', 'personal_records', ['client_id', 'exercise_key', 'kind'], unique=False)
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("streak_days_per_week", sa.Integer(), server_default=sa.text("2"), nullable=False))
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("timezone")
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.drop_column("streak_days_per_week")
    op.drop_index('ix_personal_records_client', table_name='personal_records')
    op.drop_index(op.f('ix_personal_records_business_id'), table_name='personal_records')
    op.drop_table('personal_records')
    op.drop_index(op.f('ix_workout_logs_session_id'), table_name='workout_logs')
    op.drop_index('ix_workout_logs_client_exercise', table_name='workout_logs')
    op.drop_index(op.f('ix_workout_logs_business_id'), table_name='workout_logs')
    op.drop_table('workout_logs')
    op.drop_index('ix_workout_sessions_client_day', table_name='workout_sessions')
    op.drop_index(op.f('ix_workout_sessions_business_id'), table_name='workout_sessions')
    op.drop_table('workout_sessions')
    op.drop_index('ix_program_items_day', table_name='program_items')
    op.drop_table('program_items')
    op.drop_index('ux_program_days_slot', table_name='program_days')
    op.drop_table('program_days')
    op.drop_index('ix_meals_plan', table_name='meals')
    op.drop_table('meals')
    op.drop_index('ix_programs_client_active', table_name='programs')
    op.drop_index(op.f('ix_programs_business_id'), table_name='programs')
    op.drop_table('programs')
    op.drop_index("ix_measurements_photo_pending", table_name="measurements")
    op.drop_index('ix_measurements_client', table_name='measurements')
    op.drop_index(op.f('ix_measurements_business_id'), table_name='measurements')
    op.drop_table('measurements')
    op.drop_index(op.f('ix_meal_plans_client_id'), table_name='meal_plans')
    op.drop_index(op.f('ix_meal_plans_business_id'), table_name='meal_plans')
    op.drop_table('meal_plans')
    op.drop_index(op.f('ix_challenge_entries_business_id'), table_name='challenge_entries')
    op.drop_table('challenge_entries')
    op.drop_index(op.f('ix_custom_exercises_business_id'), table_name='custom_exercises')
    op.drop_table('custom_exercises')
    op.drop_index(op.f('ix_challenges_business_id'), table_name='challenges')
    op.drop_table('challenges')
