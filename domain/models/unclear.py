"""Messages the bot did not understand, kept for staff to say what they meant."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class UnclearMessage(Base):
    """A message the bot was unsure of (it asked which was meant) or did not understand at all.

    `key` is the text as the intent model reads it; once staff set `intent`, a later message with the same key
    from any client of the business is read as that intent.
    """

    __tablename__ = "unclear_messages"
    __table_args__ = (Index("ix_unclear_messages_business_received", "business_id", "received_at"),
                      Index("ix_unclear_messages_taught", "business_id", "key", postgresql_where=text("intent IS NOT NULL"),
                            sqlite_where=text("intent IS NOT NULL")))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(1000))
    key: Mapped[str] = mapped_column(String(1000))
    locale: Mapped[str] = mapped_column(String(8))
    guess: Mapped[str] = mapped_column(String(32))  # the model's best intent, "unknown" included
    confidence: Mapped[float] = mapped_column(Float)
    options: Mapped[list[str]] = mapped_column(Json, default=list)  # the intents offered as buttons, if any
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    intent: Mapped[str | None] = mapped_column(String(32))  # what staff said it meant
    taught_by: Mapped[int | None] = mapped_column(BigInteger)  # the admin user's id; no foreign key, like notes
    taught_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
