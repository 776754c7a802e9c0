"""Changing clients from the admin panel: add by phone, edit, deactivate and reactivate, notes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import DomainError
from domain.models import Client, ClientNote


class ClientRecordError(DomainError):
    code = "client_record_error"


class DuplicatePhone(ClientRecordError):
    """Another client of the business already has this phone number."""

    code = "duplicate_phone"

    def __init__(self, phone: str, existing_id: int | None) -> None:
        super().__init__(f"{phone} already belongs to another client")
        self.phone, self.existing_id = phone, existing_id


class ClientErased(ClientRecordError):
    """The client asked to be forgotten: nothing about them may be written again."""

    code = "client_erased"


async def add_client(session: AsyncSession, business_id: int, *, phone: str, name: str | None, locale: str | None,
                     now: datetime) -> Client:
    """A new client known by phone (E.164); DuplicatePhone if the business already has it."""
    await _refuse_duplicate(session, business_id, phone, None)
    client = Client(business_id=business_id, contact_key=phone, wa_id=phone.lstrip("+"), phone_e164=phone,
                    profile_name=name, locale=locale, opted_out=False, created_at=now)
    session.add(client)
    await _flush_unique(session, phone)
    return client


async def edit_client(session: AsyncSession, client: Client, *, phone: str, name: str | None, locale: str | None,
                      timezone: str | None = None) -> None:
    """Change the name, phone (E.164), chat language and time zone (None: the business's); a new phone must be
    unused in the business."""
    if client.erased_at is not None:
        raise ClientErased("an erased client cannot be edited")
    if phone != client.phone_e164:
        await _refuse_duplicate(session, client.business_id, phone, client.id)
        if client.contact_key == client.phone_e164 or client.contact_key.startswith("+"):
            client.contact_key = phone  # the phone is who they are to the webhook
        client.phone_e164, client.wa_id = phone, phone.lstrip("+")
    client.profile_name, client.locale, client.timezone = name, locale, timezone
    await _flush_unique(session, phone)


def set_email(client: Client, email: str | None) -> None:
    """Where a booking confirmation goes when WhatsApp cannot reach the client (None: nowhere)."""
    if client.erased_at is not None:
        raise ClientErased("an erased client cannot be edited")
    client.email = email.strip().lower() if email and email.strip() else None


def set_active(client: Client, active: bool, now: datetime) -> None:
    """Deactivate (the business no longer serves them; history stays) or reactivate a client."""
    if client.erased_at is not None:
        raise ClientErased("an erased client cannot be changed")
    client.deactivated_at = None if active else (client.deactivated_at or now)


async def add_note(session: AsyncSession, client: Client, *, body: str, author_user_id: int | None, author_name: str,
                   now: datetime) -> ClientNote:
    """Keep a note about the client, signed with its author and time."""
    if client.erased_at is not None:
        raise ClientErased("notes cannot be added to an erased client")
    note = ClientNote(business_id=client.business_id, client_id=client.id, author_user_id=author_user_id,
                      author_name=author_name, body=body, created_at=now)
    session.add(note)
    await session.flush()
    return note


async def _refuse_duplicate(session: AsyncSession, business_id: int, phone: str, own_id: int | None) -> None:
    stmt = select(Client.id).where(Client.business_id == business_id,
                                   (Client.contact_key == phone) | (Client.phone_e164 == phone))
    existing = [cid for cid in (await session.execute(stmt)).scalars() if cid != own_id]
    if existing:
        raise DuplicatePhone(phone, existing[0])


async def _flush_unique(session: AsyncSession, phone: str) -> None:
    """Flush in a savepoint: a client added concurrently with the same phone is a DuplicatePhone."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise DuplicatePhone(phone, None) from None
