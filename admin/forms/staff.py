"""Staff forms: a trainer's details, and a panel user."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from admin.forms.automation import clock_minutes
from admin.forms.fields import RowId
from admin.i18n import _
from domain.people.phones import canonical_phone

# Enough to catch typos; the mailbox itself is the real check.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str | None) -> str | None:
    if value is not None and not EMAIL.match(value):
        raise ValueError(_("That is not an e-mail address."))
    return value.lower() if value else None


class TrainerForm(BaseModel):
    """A trainer: name, e-mail, the WhatsApp number their daily digest goes to and its time (HH:MM, empty for none)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=120)
    email: str | None = Field(None, max_length=254)
    whatsapp: str | None = Field(None, max_length=32)
    digest_at: str | None = Field(None, max_length=5)
    digest_channel: Literal["whatsapp", "email"] = "whatsapp"  # email: to `email`, when the deployment sends email

    _check_email = field_validator("email")(_email)

    @field_validator("digest_at")
    @classmethod
    def _digest_clock(cls, value: str | None) -> str | None:
        if value:
            clock_minutes(value)
        return value or None

    @property
    def digest_at_min(self) -> int | None:
        """Minutes after local midnight for the digest, or None for no digest."""
        return clock_minutes(self.digest_at) if self.digest_at else None

    @field_validator("whatsapp")
    @classmethod
    def _wa_id(cls, value: str | None) -> str | None:
        if value is None:
            return None
        phone = canonical_phone(value)
        if phone is None:
            raise ValueError(_("Write the number with its country code, e.g. +55 11 98765-4321."))
        return phone.lstrip("+")  # WhatsApp ids are the E.164 digits


class PanelUserForm(BaseModel):
    """Someone who logs in to the panel: an owner, or a trainer tied to their staff row."""

    model_config = ConfigDict(str_strip_whitespace=True)

    email: str = Field(min_length=1, max_length=254)
    name: str = Field(min_length=1, max_length=120)
    role: Literal["owner", "trainer"]
    staff_id: RowId | None = Field(None, validate_default=True)
    password: str = Field(min_length=10, max_length=200)

    _check_email = field_validator("email")(_email)

    @field_validator("staff_id")
    @classmethod
    def _trainer_has_staff(cls, value: int | None, info) -> int | None:  # type: ignore[no-untyped-def]
        if info.data.get("role") == "trainer" and value is None:
            raise ValueError(_("Choose which trainer this login belongs to."))
        return value


class RoleForm(BaseModel):
    """A login's new role; a trainer's login names their staff row (an owner's may, if they also train)."""

    role: Literal["owner", "trainer"]
    staff_id: RowId | None = None
