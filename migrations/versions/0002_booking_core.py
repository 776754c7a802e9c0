"""Booking core: staff, services, hours, time off, appointments, bookings, waitlists, series,
check-ins, the credit ledger and memberships; business policies.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

PostgreSQL only, on top of the tables: btree_gist and the exclusion constraint that keeps a
trainer from being double-booked, and a trigger that keeps the credit ledger append-only.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIMESTAMPTZ = sa.DateTime(timezone=True)

_NO_DOUBLE_BOOKING = """
ALTER TABLE appointments ADD CONSTRAINT ex_appointments_no_overlap
EXCLUDE USING gist (staff_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
WHERE (status <> 'cancelled')
"""
_APPEND_ONLY = """
CREATE FUNCTION credit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Deleting a whole client or business cascades here through a foreign-key trigger; allow that.
  IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'credit_entries is append-only: % refused', TG_OP;
END $$
"""
_APPEND_ONLY_TRIGGER = """
CREATE TRIGGER credit_entries_append_only BEFORE UPDATE OR DELETE ON credit_entries
FOR EACH ROW EXECUTE FUNCTION credit_entries_append_only()
"""


def upgrade() -> None:
    """Create the booking tables (and, on PostgreSQL, the constraints SQLite cannot express)."""
    is_pg = op.get_bind().dialect.name == "postgresql"
    if is_pg:
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table('services',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('duration_min', sa.Integer(), nullable=False),
    sa.Column('price_cents', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('capacity', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('buffer_before_min', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('buffer_after_min', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('credits_required', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('buffer_before_min >= 0 AND buffer_after_min >= 0', name=op.f('ck_services_buffers_not_negative')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_services_capacity_positive')),
    sa.CheckConstraint('duration_min > 0', name=op.f('ck_services_duration_positive')),
    sa.CheckConstraint('price_cents >= 0', name=op.f('ck_services_price_not_negative')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_services_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_services_business_id'), ['business_id'], unique=False)

    op.create_table('staff',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('wa_id', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('ical_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_staff_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('ical_token', name=op.f('uq_staff_ical_token'))
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_business_id'), ['business_id'], unique=False)

    op.create_table('appointments',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('staff_id', BIG_ID, nullable=False),
    sa.Column('service_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('starts_at', TIMESTAMPTZ, nullable=False),
    sa.Column('ends_at', TIMESTAMPTZ, nullable=False),
    sa.Column('blocked_from', TIMESTAMPTZ, nullable=False),
    sa.Column('blocked_until', TIMESTAMPTZ, nullable=False),
    sa.Column('capacity', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('updated_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('blocked_from <= starts_at AND blocked_until >= ends_at', name=op.f('ck_appointments_block_covers_session')),
    sa.CheckConstraint('capacity >= 1', name=op.f('ck_appointments_capacity_positive')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_appointments_ends_after_start')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_appointments_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_appointments_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_appointments_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_business_starts', ['business_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_appointments_staff_blocked', ['staff_id', 'blocked_from'], unique=False)

    op.create_table('availability_rules',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('staff_id', BIG_ID, nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_local', sa.Time(), nullable=False),
    sa.Column('end_local', sa.Time(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.CheckConstraint('end_local > start_local', name=op.f('ck_availability_rules_ends_after_start')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_availability_rules_weekday_range')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_availability_rules_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_availability_rules_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_availability_rules'))
    )
    with op.batch_alter_table('availability_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_availability_rules_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_availability_rules_staff_id'), ['staff_id'], unique=False)

    op.create_table('booking_series',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('service_id', BIG_ID, nullable=False),
    sa.Column('staff_id', BIG_ID, nullable=False),
    sa.Column('weekdays', JSON, nullable=False),
    sa.Column('local_time', sa.Time(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_booking_series_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_booking_series_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_booking_series_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_booking_series_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    with op.batch_alter_table('booking_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_series_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_series_client_id'), ['client_id'], unique=False)

    op.create_table('credit_balances',
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('balance', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_credit_balances_balance_not_negative')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_credit_balances_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_credit_balances_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('client_id', name=op.f('pk_credit_balances'))
    )
    with op.batch_alter_table('credit_balances', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_balances_business_id'), ['business_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('plan_name', sa.String(length=120), nullable=False),
    sa.Column('sessions_per_week', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_memberships_ends_after_start')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_memberships_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_memberships_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_client_id'), ['client_id'], unique=False)

    op.create_table('service_trainers',
    sa.Column('service_id', BIG_ID, nullable=False),
    sa.Column('staff_id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_service_trainers_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_service_trainers_service_id_services'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_service_trainers_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('service_id', 'staff_id', name=op.f('pk_service_trainers'))
    )
    with op.batch_alter_table('service_trainers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_trainers_business_id'), ['business_id'], unique=False)

    op.create_table('time_off',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('staff_id', BIG_ID, nullable=True),
    sa.Column('starts_at', TIMESTAMPTZ, nullable=False),
    sa.Column('ends_at', TIMESTAMPTZ, nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_time_off_ends_after_start')),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_time_off_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_time_off_staff_id_staff'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_off'))
    )
    with op.batch_alter_table('time_off', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_off_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_off_staff_id'), ['staff_id'], unique=False)

    op.create_table('bookings',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('appointment_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('series_id', BIG_ID, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('paid_with', sa.String(length=16), nullable=False),
    sa.Column('cancelled_by', sa.String(length=16), nullable=True),
    sa.Column('cancel_reason', sa.String(length=200), nullable=True),
    sa.Column('late_cancel', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('updated_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_bookings_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_bookings_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_bookings_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['booking_series.id'], name=op.f('fk_bookings_series_id_booking_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_business_id'), ['business_id'], unique=False)
        batch_op.create_index('ix_bookings_client_status', ['client_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_series_id'), ['series_id'], unique=False)
        batch_op.create_index('uq_bookings_one_seat_per_client', ['appointment_id', 'client_id'], unique=True, postgresql_where=sa.text("status IN ('booked', 'confirmed', 'checked_in', 'completed')"), sqlite_where=sa.text("status IN ('booked', 'confirmed', 'checked_in', 'completed')"))

    op.create_table('waitlist_entries',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('appointment_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('offer_expires_at', TIMESTAMPTZ, nullable=True),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.Column('updated_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], name=op.f('fk_waitlist_entries_appointment_id_appointments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_waitlist_entries_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_waitlist_entries_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waitlist_entries_appointment_id'), ['appointment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_business_id'), ['business_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waitlist_entries_client_id'), ['client_id'], unique=False)
        batch_op.create_index('uq_waitlist_one_entry_per_client', ['appointment_id', 'client_id'], unique=True, postgresql_where=sa.text("status IN ('waiting', 'offered')"), sqlite_where=sa.text("status IN ('waiting', 'offered')"))

    op.create_table('booking_events',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('booking_id', BIG_ID, nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=16), nullable=False),
    sa.Column('detail', JSON, nullable=True),
    sa.Column('at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_events_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_booking_events_business_id_businesses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_events'))
    )
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_events_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_events_business_id'), ['business_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('booking_id', BIG_ID, nullable=True),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('checked_in_at', TIMESTAMPTZ, nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_check_ins_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_check_ins_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_check_ins_client_id_clients'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_business_id'), ['business_id'], unique=False)
        batch_op.create_index('ix_check_ins_client_at', ['client_id', 'checked_in_at'], unique=False)
        batch_op.create_index('uq_check_ins_booking', ['booking_id'], unique=True, postgresql_where=sa.text('booking_id IS NOT NULL'), sqlite_where=sa.text('booking_id IS NOT NULL'))

    op.create_table('credit_entries',
    sa.Column('id', BIG_ID, nullable=False),
    sa.Column('business_id', BIG_ID, nullable=False),
    sa.Column('client_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('pack_id', BIG_ID, nullable=True),
    sa.Column('booking_id', BIG_ID, nullable=True),
    sa.Column('expires_at', TIMESTAMPTZ, nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', TIMESTAMPTZ, nullable=False),
    sa.CheckConstraint('delta <> 0', name=op.f('ck_credit_entries_delta_not_zero')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_credit_entries_booking_id_bookings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['business_id'], ['businesses.id'], name=op.f('fk_credit_entries_business_id_businesses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_credit_entries_client_id_clients'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pack_id'], ['credit_entries.id'], name=op.f('fk_credit_entries_pack_id_credit_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_entries'))
    )
    with op.batch_alter_table('credit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_entries_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_business_id'), ['business_id'], unique=False)
        batch_op.create_index('ix_credit_entries_client', ['client_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_entries_pack_id'), ['pack_id'], unique=False)

    with op.batch_alter_table('businesses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_notice_min', sa.Integer(), server_default=sa.text('120'), nullable=False))
        batch_op.add_column(sa.Column('max_horizon_days', sa.Integer(), server_default=sa.text('30'), nullable=False))
        batch_op.add_column(sa.Column('slot_step_min', sa.Integer(), server_default=sa.text('30'), nullable=False))
        batch_op.add_column(sa.Column('late_cancel_window_min', sa.Integer(), server_default=sa.text('720'), nullable=False))
        batch_op.add_column(sa.Column('no_show_after_min', sa.Integer(), server_default=sa.text('15'), nullable=False))
        batch_op.add_column(sa.Column('booking_requires_credit', sa.Boolean(), server_default=sa.text('false'), nullable=False))
        batch_op.add_column(sa.Column('waitlist_hold_min', sa.Integer(), server_default=sa.text('30'), nullable=False))

    if is_pg:
        op.execute(_NO_DOUBLE_BOOKING)
        op.execute(_APPEND_ONLY)
        op.execute(_APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    """Drop the booking tables and the policy columns."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS credit_entries_append_only ON credit_entries")
        op.execute("DROP FUNCTION IF EXISTS credit_entries_append_only()")
    with op.batch_alter_table("businesses", schema=None) as batch_op:
        batch_op.drop_column("waitlist_hold_min")
        batch_op.drop_column("booking_requires_credit")
        batch_op.drop_column("no_show_after_min")
        batch_op.drop_column("late_cancel_window_min")
        batch_op.drop_column("slot_step_min")
        batch_op.drop_column("max_horizon_days")
        batch_op.drop_column("min_notice_min")
    op.drop_table("credit_entries")
    op.drop_table("check_ins")
    op.drop_table("booking_events")
    op.drop_table("waitlist_entries")
    op.drop_table("bookings")
    op.drop_table("time_off")
    op.drop_table("service_trainers")
    op.drop_table("memberships")
    op.drop_table("credit_balances")
    op.drop_table("booking_series")
    op.drop_table("availability_rules")
    op.drop_table("appointments")
    op.drop_table("staff")
    op.drop_table("services")
