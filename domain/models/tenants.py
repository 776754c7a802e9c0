"""Tenants and the people they serve: businesses, staff and clients."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime


class Business(Base):
    """A tenant: one gym, studio or trainer with its own WhatsApp number."""

    __tablename__ = "businesses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # None until a studio that signed up on its own connects its number (Settings → WhatsApp).
    phone_number_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    display_phone_number: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="America/Sao_Paulo")
    locale: Mapped[str] = mapped_column(String(8), default="pt-BR")
    currency: Mapped[str] = mapped_column(String(3), default="BRL")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Booking policies (minutes unless the name says otherwise).
    min_notice_min: Mapped[int] = mapped_column(Integer, default=120, server_default=text("120"))
    max_horizon_days: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    slot_step_min: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    late_cancel_window_min: Mapped[int] = mapped_column(Integer, default=720, server_default=text("720"))
    no_show_after_min: Mapped[int] = mapped_column(Integer, default=15, server_default=text("15"))
    booking_requires_credit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    waitlist_hold_min: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    # Check-in: a shared location within the radius, or the text of the studio's QR code.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    checkin_radius_m: Mapped[int] = mapped_column(Integer, default=150, server_default=text("150"))
    checkin_code: Mapped[str | None] = mapped_column(String(64))
    # Admin settings: postal address, and the business's own Cloud API token (Fernet-encrypted, never plain).
    address: Mapped[str | None] = mapped_column(String(300))
    whatsapp_token_encrypted: Mapped[str | None] = mapped_column(Text)
    # The app secret of the business's own Meta app (Fernet-encrypted), when Meta signs its webhooks with it rather
    # than with the platform's app secret. Migration 0026.
    whatsapp_app_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    # --- Automated messages (workers, migration 0009) ---
    # Reminder offsets in minutes before the start, e.g. "1440,120"; whole days count in local time.
    reminder_offsets_min: Mapped[str] = mapped_column(String(64), default="1440,120", server_default=text("'1440,120'"))
    reminder_template: Mapped[str] = mapped_column(String(64), default="appointment_reminder",
                                                   server_default=text("'appointment_reminder'"))
    followup_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    followup_after_min: Mapped[int] = mapped_column(Integer, default=60, server_default=text("60"))
    # Quiet hours in local minutes after midnight (22:00–08:00); equal values mean no quiet hours.
    quiet_start_min: Mapped[int] = mapped_column(Integer, default=1320, server_default=text("1320"))
    quiet_end_min: Mapped[int] = mapped_column(Integer, default=480, server_default=text("480"))
    # --- end automated messages ---
    # Payments: the business's Stripe connected account (direct charges), and how long a membership
    # whose card failed keeps access.
    stripe_account_id: Mapped[str | None] = mapped_column(String(255))
    past_due_grace_days: Mapped[int] = mapped_column(Integer, default=7, server_default=text("7"))
    payment_hold_min: Mapped[int] = mapped_column(Integer, default=30, server_default=text("30"))
    # Training: a week counts toward a client's streak with at least this many training days.
    streak_days_per_week: Mapped[int] = mapped_column(Integer, default=2, server_default=text("2"))
    # Leads: the service a first contact is offered as a trial class (None: no trial offer). Migration 0025.
    trial_service_id: Mapped[int | None] = mapped_column(BigId)
    # The platform's plan (domain.platform.plans) and its Stripe subscription on the platform's own account. Studios an
    # operator made are on "enterprise"; a sign-up starts on "free". Migration 0026.
    plan: Mapped[str] = mapped_column(String(16), default="enterprise", server_default=text("'enterprise'"))
    plan_status: Mapped[str] = mapped_column(String(16), default="active", server_default=text("'active'"))  # active | past_due | canceling
    plan_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    plan_customer_id: Mapped[str | None] = mapped_column(String(255))
    plan_ends_on: Mapped[date | None] = mapped_column(Date)  # a cancelled subscription's last paid day


class Staff(Base):
    """A trainer (or other staff member) of a business."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    wa_id: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # The secret part of the trainer's calendar feed URL.
    ical_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The daily digest to the trainer's own WhatsApp, in local minutes after midnight (None: no digest).
    digest_at_min: Mapped[int | None] = mapped_column(Integer)
    # Where the digest goes: "whatsapp" or "email" (to `email`; WhatsApp when email is off or unknown). Migration 0023.
    digest_channel: Mapped[str] = mapped_column(String(16), default="whatsapp", server_default=text("'whatsapp'"))
    # The trainer's commission on sessions delivered and packs sold, in percent (migration 0013).
    commission_percent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))


class Client(Base):
    """A business's client, known by phone (E.164) and/or the business-scoped user id."""

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("business_id", "contact_key", name="uq_clients_business_contact"),
                      Index("uq_clients_business_external", "business_id", "external_id", unique=True,
                            postgresql_where=text("external_id IS NOT NULL"), sqlite_where=text("external_id IS NOT NULL")))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    # "+<E.164 digits>" when the phone is known, else "bsuid:<user_id>": one identity per person.
    contact_key: Mapped[str] = mapped_column(String(100))
    wa_id: Mapped[str | None] = mapped_column(String(32))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[str | None] = mapped_column(String(80))
    profile_name: Mapped[str | None] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(8))
    # Where a booking confirmation goes when WhatsApp cannot reach the client (migration 0023).
    email: Mapped[str | None] = mapped_column(String(254))
    opted_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # LGPD/GDPR: when the client said yes (or no) to news and offers; transactional messages need no consent.
    marketing_consent: Mapped[bool | None] = mapped_column(Boolean)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Client admin (panel): the business stopped serving this client; the row and history stay.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Where the client lives, when not in the business's zone: their "today" for workouts and meals.
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Imported from the gym's previous system: its member id, when they joined, their plan, when they left.
    external_id: Mapped[str | None] = mapped_column(String(64))
    joined_on: Mapped[date | None] = mapped_column(Date)
    plan_name: Mapped[str | None] = mapped_column(String(120))
    plan_price_cents: Mapped[int | None] = mapped_column(Integer)
    left_on: Mapped[date | None] = mapped_column(Date)
