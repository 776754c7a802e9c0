"""Leads: a number that wrote (or was typed in by staff) before it was a client, with where it came from.

A lead's stage past `new` is not stored: it is read from the facts (a booking, a check-in or a completed
session, a paid purchase or a membership after the lead came in), so a trial booked in the panel, through
the REST API or in the chat moves the pipeline alike. Only `lost_at`, a staff decision, is stored.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class LeadCode(Base):
    """A code a business puts in a wa.me link (`?text=…código INSTA10`): a message carrying it says where the lead came from."""

    __tablename__ = "lead_codes"
    __table_args__ = (UniqueConstraint("business_id", "code", name="uq_lead_codes_business_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # upper case, letters and digits
    label: Mapped[str] = mapped_column(String(120))  # "Instagram bio", "Flyer at the bakery"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Lead(Base):
    """A client's first contact: its source (ad | link | typed | organic), the detail and when; one per client."""

    __tablename__ = "leads"
    __table_args__ = (UniqueConstraint("client_id", name="uq_leads_client"),
                      Index("ix_leads_business_created", "business_id", "created_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    # The ad's headline (else its id), the link code, or who typed the lead in.
    source_detail: Mapped[str | None] = mapped_column(String(200))
    code_id: Mapped[int | None] = mapped_column(ForeignKey("lead_codes.id", ondelete="SET NULL"))
    # The Cloud API `referral` of the ad's first message, as received (source_url, source_id, headline, ctwa_clid…).
    referral: Mapped[dict[str, Any] | None] = mapped_column(Json)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lost_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
