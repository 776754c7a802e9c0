"""The platform's own records: studios signing up, and what each studio used of its plan in a month."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime


class Signup(Base):
    """A sign-up waiting for its email to be confirmed; the studio and its owner are made on confirmation.

    Only the link's SHA-256 and the password's argon2 hash are kept."""

    __tablename__ = "signups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120))
    business_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(8))
    timezone: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("businesses.id", ondelete="SET NULL"))


class PlanUsage(Base):
    """One studio's metered use of its plan in one calendar month (in its own time zone): counted as it happens."""

    __tablename__ = "plan_usage"

    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)  # the month's first day, in the studio's zone
    automated_sent: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # What a limit stopped, so the owner is told rather than left guessing.
    automated_held: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    clients_refused: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
