"""Clients: list and search, one, add (by phone, as the panel adds them), edit and deactivate (the panel's rules)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from api.operations import Call, Operation
from api.problems import Problem
from api.resources.common import after_id_cursor, business_of, page
from api.schemas import ClientIn, ClientOut, ClientPage, ClientPatch, ClientQuery
from domain.models import Business, Client
from domain.people import client_records
from domain.people.phones import InvalidPhone, parse_typed_phone, region_of
from domain.scheduling.catalog import get_scoped
from domain.sql.db import fold


def client_out(client: Client) -> ClientOut:
    erased = client.erased_at is not None
    return ClientOut(id=client.id, name=None if erased else client.profile_name, phone=None if erased else client.phone_e164,
                     email=None if erased else client.email, locale=client.locale, timezone=client.timezone,
                     marketing_consent=client.marketing_consent, active=client.deactivated_at is None and not erased,
                     created_at=client.created_at)


def _search(q: str) -> ColumnElement[bool] | None:
    q = q.strip()
    if not q:
        return None
    conditions = [func.fz_fold(Client.profile_name).contains(fold(q), autoescape=True)]
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 3:
        conditions.append(Client.phone_e164.contains(digits, autoescape=True))
    return or_(*conditions)


async def list_clients(call: Call[ClientQuery, None]) -> ClientPage:
    filters: list[Any] = [Client.business_id == call.business_id, *after_id_cursor(Client.id, call.query.cursor)]
    if call.query.q and (condition := _search(call.query.q)) is not None:
        filters.append(condition)
    async with call.runtime.sessions() as session:
        rows = (await session.execute(select(Client).where(*filters).order_by(Client.id).limit(call.query.limit + 1))).scalars().all()
    shown, cursor = page(rows, call.query.limit, lambda c: (c.id,))
    return ClientPage(data=[client_out(c) for c in shown], next_cursor=cursor)


async def get_client(call: Call[None, None]) -> ClientOut:
    async with call.runtime.sessions() as session:
        return client_out(await get_scoped(session, Client, call.business_id, call.ids["client_id"]))


def typed_phone(business: Business, typed: str) -> str:
    """A phone as typed in the business's country, in E.164; a 400 on the `phone` field when it is no number."""
    try:
        return parse_typed_phone(typed, region_of(business.locale))
    except InvalidPhone as exc:
        raise Problem(400, "invalid_request", "The phone is not a valid number.",
                      errors=[{"in": "body", "field": "phone", "detail": str(exc), "type": "phone"}]) from None


async def add_client(call: Call[None, ClientIn]) -> ClientOut:
    body = call.body
    async with call.runtime.sessions.begin() as session:
        business = await business_of(session, call.business_id)
        client = await client_records.add_client(session, call.business_id, phone=typed_phone(business, body.phone),
                                                 name=body.name, locale=body.locale, now=call.runtime.clock.now())
    return client_out(client)


async def edit_client(call: Call[None, ClientPatch]) -> ClientOut:
    """The panel's client edit, with only the fields sent changed."""
    body, sent = call.body, call.body.model_fields_set
    async with call.runtime.sessions.begin() as session:
        client = await get_scoped(session, Client, call.business_id, call.ids["client_id"])
        business = await business_of(session, call.business_id)
        if client.erased_at is not None:  # said before anything about the phone: nothing of theirs is kept
            raise client_records.ClientErased("an erased client cannot be edited")
        phone = typed_phone(business, body.phone) if body.phone is not None else client.phone_e164
        if phone is None:  # known only by their WhatsApp user id: the panel too asks for a phone to edit them
            raise Problem(409, "phone_unknown", "This client has no phone yet; send one to edit them.")
        await client_records.edit_client(session, client, phone=phone,
                                         name=body.name if "name" in sent else client.profile_name,
                                         locale=body.locale if body.locale is not None else client.locale,
                                         timezone=body.timezone if "timezone" in sent else client.timezone)
        if "email" in sent:
            client_records.set_email(client, body.email)
        return client_out(client)


async def deactivate_client(call: Call[None, None]) -> None:
    """The panel's "deactivate": the business no longer serves them; bookings, visits and payments stay."""
    async with call.runtime.sessions.begin() as session:
        client = await get_scoped(session, Client, call.business_id, call.ids["client_id"])
        client_records.set_active(client, False, call.runtime.clock.now())


OPERATIONS = [
    Operation("GET", "/clients", "listClients", "List clients (search by name or phone digits)", "clients", list_clients,
              ClientPage, query=ClientQuery, example_query={"q": "ana", "limit": 20}),
    Operation("GET", "/clients/{client_id}", "getClient", "One client", "clients", get_client, ClientOut,
              example_ids={"client_id": 1}, errors=(404,)),
    Operation("POST", "/clients", "createClient", "Add a client by WhatsApp number", "clients", add_client, ClientOut,
              status=201, body=ClientIn, example_body={"phone": "+5511987654321", "name": "Ana Souza", "locale": "pt-BR"},
              errors=(409,)),
    Operation("PATCH", "/clients/{client_id}", "updateClient", "Change a client's name, phone, email, language or time zone",
              "clients", edit_client, ClientOut, body=ClientPatch, example_ids={"client_id": 1},
              example_body={"name": "Ana Souza Lima", "email": "ana@example.com", "timezone": "America/Manaus"},
              errors=(404, 409)),
    Operation("DELETE", "/clients/{client_id}", "deactivateClient", "Deactivate a client (their history is kept)", "clients",
              deactivate_client, None, status=204, example_ids={"client_id": 1}, errors=(404, 409)),
]
