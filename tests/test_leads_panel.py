"""The leads page: the pipeline by stage and each source's conversion (with a trial service, only its booking is the
trial); owners add leads by phone, make link codes (with the wa.me link to share), pick the trial service and mark
leads lost; another business's ids are 404. A lead's client page says where they came from and their stage."""
from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.models import Business, Client, Lead, LeadCode
from domain.people import leads
from domain.scheduling import booking, catalog, checkins, classes, memberships
from tests.booking_setup import NOW, local, make_client
from tests.panel_calendar_support import Panel, open_panel, other_business

AD = {"source_url": "https://fb.me/3kQ9aZ", "source_id": "120210000000000", "source_type": "ad",
      "headline": "Aula experimental grátis", "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ"}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def text_of(page: str) -> str:
    """The page as a person reads it: tags gone, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def section(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return text_of(page[start:page.index("</section>", start)])


async def _first_contact(session, business_id: int, n: int, *, text: str | None = None, referral=None) -> int:  # type: ignore[no-untyped-def]
    client_id = await make_client(session, business_id, n)
    client = await session.get(Client, client_id)
    await leads.first_contact(session, business_id, client, text=text, referral=referral, now=NOW)
    return client_id


async def test_the_pipeline_shows_each_lead_at_its_stage_and_the_conversion_of_each_source(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    studio = panel.studio
    async with runtime.sessions.begin() as session:
        await leads.add_code(session, business.id, "INSTA10", "Instagram bio", NOW)
        ad_booked = await _first_contact(session, business.id, 11, text="Olá", referral=AD)
        ad_member = await _first_contact(session, business.id, 12, text="Oi", referral=AD)
        await _first_contact(session, business.id, 13, text="Quero uma aula experimental (código INSTA10)")
        await _first_contact(session, business.id, 14, text="oi")
        await _first_contact(session, business.id, 15, text="oi")
        await booking.book_personal(session, business.id, client_id=ad_booked, service_id=studio.personal, staff_id=studio.ana,
                                    starts_at=local(24, 7), now=NOW)
        await booking.book_personal(session, business.id, client_id=ad_member, service_id=studio.personal, staff_id=studio.ana,
                                    starts_at=local(24, 9), now=NOW)
        await checkins.check_in(session, business.id, ad_member, local(24, 9), method="staff", actor="trainer")
        await memberships.add_membership(session, business.id, ad_member, "Plano mensal", date(2026, 11, 24),
                                         date(2026, 12, 23), NOW + timedelta(days=1))
    status, page = await panel.page("/admin/leads")
    assert status == 200
    conversion = section(page, "conversion")
    assert "Ad: Aula experimental grátis 2 2 (100%) 1 (50%) 1 (50%)" in conversion
    assert "Link code: INSTA10 (Instagram bio) 1 0 (0%) 0 (0%) 0 (0%)" in conversion
    assert "Wrote on their own 2 0 (0%) 0 (0%) 0 (0%)" in conversion
    assert "All sources 5 2 (40%) 1 (20%) 1 (20%)" in conversion
    pipeline = section(page, "pipeline")
    assert "Lead (3)" in pipeline and "Trial booked (1) Cliente 11" in pipeline and "Member (1) Cliente 12" in pipeline
    assert "Trial attended (0)" in pipeline and "Lost (0)" in pipeline
    assert "Member since" in pipeline and "Ad: Aula experimental grátis" in pipeline


async def test_an_owner_adds_a_lead_by_phone_and_it_joins_the_pipeline_as_typed_in(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    response = await panel.post("/admin/leads", phone="(11) 91234-5678", name="Joana Lima", locale="pt-BR")
    assert response.status == 302
    status, page = await panel.page("/admin/leads")
    assert "Lead Joana Lima added." in text_of(page)
    assert "Lead (1) Joana Lima +5511912345678 Typed in: Olga Owner" in section(page, "pipeline")
    assert "Typed in 1 0 (0%)" in section(page, "conversion")

    again = await panel.post("/admin/leads", phone="+55 11 91234-5678", name="Joana", locale="pt-BR")
    assert again.status == 400
    assert "+5511912345678 is already one of your clients or leads." in text_of(await again.text())
    bad = await panel.post("/admin/leads", phone="12", name="X", locale="pt-BR")
    assert bad.status == 400 and "is not" in text_of(await bad.text())


async def test_an_owner_makes_a_link_code_and_gets_the_wa_me_link_that_types_it(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    async with runtime.sessions.begin() as session:
        (await session.get(Business, business.id)).display_phone_number = "+55 11 4000-1234"
    response = await panel.post("/admin/leads/codes", code="insta10", label="Instagram bio")
    assert response.status == 302
    _status, page = await panel.page("/admin/leads")
    assert "Code INSTA10 added: share its link." in text_of(page)
    assert "INSTA10 Instagram bio" in section(page, "codes")
    assert "https://wa.me/551140001234?text=Quero%20uma%20aula%20experimental%20%28c%C3%B3digo%20INSTA10%29" in page

    duplicate = await panel.post("/admin/leads/codes", code="INSTA10", label="Again")
    assert duplicate.status == 400 and "You already have the code INSTA10." in text_of(await duplicate.text())
    spaced = await panel.post("/admin/leads/codes", code="insta 10", label="Bio")
    assert spaced.status == 400 and "Use 2 to 32 letters or digits" in text_of(await spaced.text())

    async with runtime.sessions() as session:
        code_id = await session.scalar(select(LeadCode.id).where(LeadCode.code == "INSTA10"))
    assert (await panel.post(f"/admin/leads/codes/{code_id}/archive")).status == 302
    _status, page = await panel.page("/admin/leads")
    assert "No codes yet." in section(page, "codes")


async def test_an_owner_picks_the_trial_service_and_marks_a_lead_lost(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    async with runtime.sessions.begin() as session:
        await _first_contact(session, business.id, 21, text="oi")
        lead_id = await session.scalar(select(Lead.id))
    response = await panel.post("/admin/leads/trial", service_id=panel.studio.spinning)
    assert response.status == 302
    _status, page = await panel.page("/admin/leads")
    assert "First contacts are now offered a trial class of Spinning." in text_of(page)
    assert re.search(rf'<option value="{panel.studio.spinning}" selected>Spinning</option>', page)

    assert (await panel.post(f"/admin/leads/{lead_id}/lost", lost="1")).status == 302
    _status, page = await panel.page("/admin/leads")
    assert "Lead (0)" in section(page, "pipeline") and "Lost (1) Cliente 21" in section(page, "pipeline")

    assert (await panel.post("/admin/leads/trial", service_id="")).status == 302
    async with runtime.sessions() as session:
        assert (await session.get(Business, business.id)).trial_service_id is None


async def test_another_business_lead_code_and_service_are_404_and_left_alone(web, runtime, business):
    panel: Panel = await open_panel(web, runtime, business)
    elsewhere = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs_code = await leads.add_code(session, elsewhere.id, "THEIRS", "Their bio", NOW)
        their_client = await session.get(Client, await make_client(session, elsewhere.id, 31))
        theirs_lead = await leads.first_contact(session, elsewhere.id, their_client, text="oi", referral=None, now=NOW)
        theirs_service = await catalog.add_service(session, elsewhere.id, "Their class", NOW, duration_min=60, trainer_ids=[])
        ids = (theirs_code.id, theirs_lead.id, theirs_service.id)
    code_id, lead_id, service_id = ids
    assert (await panel.post(f"/admin/leads/codes/{code_id}/archive")).status == 404
    assert (await panel.post(f"/admin/leads/{lead_id}/lost", lost="1")).status == 404
    assert (await panel.post("/admin/leads/trial", service_id=service_id)).status == 404
    async with runtime.sessions() as session:
        assert (await session.get(LeadCode, code_id)).archived_at is None
        assert (await session.get(Lead, lead_id)).lost_at is None
        assert (await session.get(Business, business.id)).trial_service_id is None
    _status, page = await panel.page("/admin/leads")
    assert "Cliente 31" not in page and "THEIRS" not in page


async def test_a_trainer_sees_the_pipeline_but_only_owners_change_it(web, runtime, business):
    panel = await open_panel(web, runtime, business, role="trainer")
    status, page = await panel.page("/admin/leads")
    assert status == 200 and "Conversion by source" in text_of(page) and 'id="codes"' not in page
    assert '<a href="/admin/leads">Leads</a>' in page
    assert (await panel.post("/admin/leads/codes", code="INSTA10", label="Bio")).status == 403
    assert (await panel.post("/admin/leads", phone="(11) 91234-5678", name="Joana", locale="pt-BR")).status == 403


async def test_with_a_trial_service_only_its_booking_counts_as_the_trial(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    studio = panel.studio
    async with runtime.sessions.begin() as session:
        await leads.set_trial_service(session, business.id, studio.personal)
        tried = await _first_contact(session, business.id, 41, text="oi")
        in_class = await _first_contact(session, business.id, 42, text="oi")
        await booking.book_personal(session, business.id, client_id=tried, service_id=studio.personal, staff_id=studio.ana,
                                    starts_at=local(24, 7), now=NOW)
        spin = await classes.schedule_class(session, business.id, service_id=studio.spinning, staff_id=studio.bruno,
                                            starts_at=local(24, 18), now=NOW, capacity=5)
        await classes.book_seat(session, business.id, client_id=in_class, appointment_id=spin.id, now=NOW)
        await checkins.check_in(session, business.id, in_class, local(24, 18), method="staff", actor="trainer")
    _status, page = await panel.page("/admin/leads")
    pipeline = section(page, "pipeline")
    assert "Lead (1) Cliente 42" in pipeline  # a Spinning class, even attended, is not the trial (Treino personal)
    assert "Trial booked (1) Cliente 41" in pipeline and "Trial attended (0)" in pipeline
    assert "Wrote on their own 2 1 (50%) 0 (0%) 0 (0%)" in section(page, "conversion")


async def test_a_lead_client_page_shows_where_they_came_from_and_how_far_they_are(web, runtime, business):
    panel = await open_panel(web, runtime, business)
    async with runtime.sessions.begin() as session:
        await leads.add_code(session, business.id, "INSTA10", "Instagram bio", NOW)
        from_ad = await _first_contact(session, business.id, 51, text="Olá", referral=AD)
        from_link = await _first_contact(session, business.id, 52, text="Quero uma aula experimental (código INSTA10)")
        await booking.book_personal(session, business.id, client_id=from_ad, service_id=panel.studio.personal,
                                    staff_id=panel.studio.ana, starts_at=local(24, 7), now=NOW)
    _status, page = await panel.page(f"/admin/clients/{from_ad}")
    assert "Lead · Ad: Aula experimental grátis · Trial booked" in text_of(page)
    _status, page = await panel.page(f"/admin/clients/{from_link}")
    assert "Lead · Link code: INSTA10 (Instagram bio) · not booked yet" in text_of(page)
    await panel.post("/admin/leads", phone="(11) 91234-5678", name="Joana Lima", locale="pt-BR")
    async with runtime.sessions() as session:
        typed = await session.scalar(select(Client.id).where(Client.profile_name == "Joana Lima"))
    _status, page = await panel.page(f"/admin/clients/{typed}")
    assert "Lead · Typed in: Olga Owner · not booked yet" in text_of(page)
    _status, page = await panel.page(f"/admin/clients/{panel.studio.clients[0]}")  # a client who never was a lead
    assert "badge-lead" not in page
