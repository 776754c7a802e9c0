"""Clients: list and search, one, add (by phone, as the panel adds them)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from api.operations import Call, Operation
from api.problems import Problem
from api.resources.common import after_id_cursor, business_of, page
from api.schemas import ClientIn, ClientOut, ClientPage, ClientQuery
from domain.models import Client
from domain.people import client_records
from domain.people.phones import InvalidPhone, parse_typed_phone, region_of
from domain.scheduling.catalog import get_scoped
from domain.sql.db import fold


def client_out(client: Client) -> ClientOut:
    erased = client.erased_at is not None
    return ClientOut(id=client.id, name=None if erased else client.profile_name, phone=None if erased else client.phone_e164,
                     locale=client.locale, active=client.deactivated_at is None and not erased, created_at=client.created_at)


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


async def add_client(call: Call[None, ClientIn]) -> ClientOut:
    body = call.body
    async with call.runtime.sessions.begin() as session:
        business = await business_of(session, call.business_id)
        try:
            phone = parse_typed_phone(body.phone, region_of(business.locale))
        except InvalidPhone as exc:
            raise Problem(400, "invalid_request", "The phone is not a valid number.",
                          errors=[{"in": "body", "field": "phone", "detail": str(exc), "type": "phone"}]) from None
        client = await client_records.add_client(session, call.business_id, phone=phone, name=body.name, locale=body.locale,
                                                 now=call.runtime.clock.now())
    return client_out(client)


OPERATIONS = [
    Operation("GET", "/clients", "listClients", "List clients (search by name or phone digits)", "clients", list_clients,
              ClientPage, query=ClientQuery, example_query={"q": "ana", "limit": 20}),
    Operation("GET", "/clients/{client_id}", "getClient", "One client", "clients", get_client, ClientOut,
              example_ids={"client_id": 1}, errors=(404,)),
    Operation("POST", "/clients", "createClient", "Add a client by WhatsApp number", "clients", add_client, ClientOut,
              status=201, body=ClientIn, example_body={"phone": "+5511987654321", "name": "Ana Souza", "locale": "pt-BR"},
              errors=(409,)),
]
