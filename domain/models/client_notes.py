"""Notes a trainer keeps about a client in the admin panel."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, UTCDateTime


class ClientNote(Base):
    """One note: who wrote it (name kept as written, so it survives the user) and when."""

    __tablename__ = "client_notes"
    __table_args__ = (Index("ix_client_notes_client_at", "client_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    # The admin user's id; no foreign key, so removing a user keeps their notes.
    author_user_id: Mapped[int | None] = mapped_column(BigInteger)
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
