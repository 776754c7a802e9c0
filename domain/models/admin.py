"""People who use the admin panel, and the login attempts that throttle guessing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime


class AdminUser(Base):
    """A login to the panel: an owner (everything) or a trainer (their own calendar and clients)."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    # Stored lower-case; unique across businesses because it is what people log in with.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # "owner" | "trainer" (CHECK in the migration)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Carried in the panel's cookie; bumped to end every session of the user (logout, deactivation, new role).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The panel's language this user picked ("pt-BR", "en"); None follows the business's.
    locale: Mapped[str | None] = mapped_column(String(8))


class LoginAttempts(Base):
    """Login attempts under one key ("email:<address>" or "ip:<address>") in the window that began with the first.

    One row per key, counted up in one statement, so parallel guesses each see the others (domain.people.login_throttle).
    """

    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer)
