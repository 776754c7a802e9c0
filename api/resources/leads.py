"""Leads: the pipeline (filtered by stage and source, newest first) and a lead typed in by phone, as the panel adds one."""
from __future__ import annotations

from datetime import datetime

from api import pagination
from api.operations import Call, Operation
from api.resources.clients import typed_phone
from api.resources.common import business_of, page
from api.schemas import LeadIn, LeadOut, LeadPage, LeadQuery
from domain.models import Client, Lead
from domain.people import leads
from domain.people.leads import LeadRow

ADDED_BY = "API"  # a typed lead's detail says who typed it in; the panel shows it beside "Typed in"


def lead_out(row: LeadRow) -> LeadOut:
    return LeadOut(id=row.id, client_id=row.client_id, name=row.name, phone=row.phone, source=row.source,
                   source_detail=row.source_detail, code_label=row.code_label, stage=row.stage,
                   created_at=row.created_at, trial_booked_at=row.trial_booked_at, trial_attended_at=row.trial_attended_at,
                   member_at=row.member_at, lost_at=row.lost_at)


async def list_leads(call: Call[LeadQuery, None]) -> LeadPage:
    """The panel's pipeline: a lead's stage is read from what happened after it came in, so the filter runs on its rows."""
    q = call.query
    after = pagination.decode(q.cursor, (datetime, int)) if q.cursor else None
    async with call.runtime.sessions() as session:
        rows = await leads.pipeline(session, call.business_id)  # newest first
    chosen = [r for r in rows if (q.stage is None or r.stage == q.stage) and (q.source is None or r.source == q.source)
              and (after is None or (r.created_at, r.id) < after)]
    shown, cursor = page(chosen[:q.limit + 1], q.limit, lambda r: (r.created_at, r.id))
    return LeadPage(data=[lead_out(r) for r in shown], next_cursor=cursor)


async def add_lead(call: Call[None, LeadIn]) -> LeadOut:
    body = call.body
    async with call.runtime.sessions.begin() as session:
        business = await business_of(session, call.business_id)
        lead = await leads.add_typed(session, call.business_id, phone=typed_phone(business, body.phone), name=body.name,
                                     locale=body.locale, added_by=ADDED_BY, now=call.runtime.clock.now())
        client = await session.get(Client, lead.client_id)  # the one just added: no query
        assert client is not None
    return _new(lead, client)


def _new(lead: Lead, client: Client) -> LeadOut:
    """A lead just typed in: nothing has happened since, so it is `new`."""
    return lead_out(LeadRow(id=lead.id, client_id=lead.client_id, name=client.profile_name, phone=client.phone_e164,
                            source=lead.source, source_detail=lead.source_detail, code_label=None, created_at=lead.created_at,
                            trial_booked_at=None, trial_attended_at=None, member_at=None, lost_at=None))


OPERATIONS = [
    Operation("GET", "/leads", "listLeads", "Leads, newest first, by stage and source", "leads", list_leads, LeadPage,
              query=LeadQuery, example_query={"stage": "trial_booked", "source": "ad", "limit": 20}),
    Operation("POST", "/leads", "createLead", "Add a lead by WhatsApp number (a new client whose source is `typed`)", "leads",
              add_lead, LeadOut, status=201, body=LeadIn, errors=(409,),
              example_body={"phone": "+5511912345678", "name": "Carla Dias", "locale": "pt-BR"}),
]
