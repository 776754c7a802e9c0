"""The business's WhatsApp message templates (approved in Meta's dashboard) and what each is for."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class MessageTemplate(Base):
    """An approved template: name and language as Meta knows them, its purpose and its variables, in order."""

    __tablename__ = "message_templates"
    __table_args__ = (UniqueConstraint("business_id", "name", "language", name="uq_message_templates_name_language"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(512))
    language: Mapped[str] = mapped_column(String(15))
    purpose: Mapped[str] = mapped_column(String(20))  # reminder | reengagement | waitlist | generic
    variables: Mapped[list[str]] = mapped_column(Json, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
