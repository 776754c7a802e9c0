"""Settings → Services and Message templates: list, add, edit, deactivate, scoped to the owner's business."""
from __future__ import annotations

from aiohttp.test_utils import TestClient
from sqlalchemy import select

from domain.models import Business, MessageTemplate, Service
from domain.scheduling import catalog
from runtime.resources import Runtime
from tests.booking_setup import make_studio
from tests.client_admin_setup import visible_text
from tests.settings_support import NOW, as_owner, as_trainer, fresh, other_business, post


def service_form(trainer_ids: list[int], **overrides: object) -> list[tuple[str, str]]:
    fields = {"name": "Pilates", "kind": "class", "duration_min": "50", "price": "45,50", "capacity": "8",
              "buffer_before_min": "0", "buffer_after_min": "10", "credits_required": "1", **overrides}
    return [(k, str(v)) for k, v in fields.items()] + [("trainer_ids", str(t)) for t in trainer_ids]


async def services(runtime: Runtime, business_id: int) -> list[Service]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Service).where(Service.business_id == business_id)
                                           .order_by(Service.id))).scalars().all())


async def test_owner_adds_a_class_with_its_trainers(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    form = [("csrf_token", token), *service_form([studio.ana, studio.bruno])]
    response = await web.post("/admin/settings/services", data=form, allow_redirects=False)
    assert response.status == 302
    added = (await services(runtime, business.id))[-1]
    assert (added.name, added.capacity, added.price_cents, added.buffer_after_min, added.is_class) == ("Pilates", 8, 4550, 10, True)
    async with runtime.sessions() as session:
        offered = {t.id for t in await catalog.trainers_for(session, business.id, added.id)}
    assert offered == {studio.ana, studio.bruno}
    page = await (await web.get("/admin/settings/services")).text()
    assert "Service Pilates added." in page and "Class, 8 seats" in page


async def test_service_with_bad_numbers_is_refused_and_nothing_saved(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    form = [("csrf_token", token), *service_form([], duration_min="0", price="-3", capacity="1")]
    response = await web.post("/admin/settings/services", data=form, allow_redirects=False)
    page = await response.text()
    assert response.status == 400
    assert "Must be at least 5." in page and "zero or more" in page and "Choose at least one." in page
    assert [s.id for s in await services(runtime, business.id)] == [studio.personal, studio.spinning]


async def test_owner_edits_a_service_and_personal_means_one_seat(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    assert "Treino personal" in await (await web.get(f"/admin/settings/services/{studio.personal}")).text()
    form = [("csrf_token", token), *service_form([studio.ana], name="Personal 45", kind="personal", duration_min="45",
                                                  price="150", capacity="9")]
    response = await web.post(f"/admin/settings/services/{studio.personal}", data=form, allow_redirects=False)
    assert response.status == 302
    edited = await fresh(runtime, Service, studio.personal)
    assert (edited.name, edited.duration_min, edited.price_cents, edited.capacity) == ("Personal 45", 45, 15000, 1)
    async with runtime.sessions() as session:
        assert await catalog.offers(session, business.id, studio.personal, studio.ana)
        assert not await catalog.offers(session, business.id, studio.personal, studio.bruno)


async def test_deactivated_service_is_marked_and_can_come_back(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    assert (await post(web, f"/admin/settings/services/{studio.spinning}/active", token, active="0")).status == 302
    assert (await fresh(runtime, Service, studio.spinning)).active is False
    assert "inactive" in await (await web.get("/admin/settings/services")).text()
    await post(web, f"/admin/settings/services/{studio.spinning}/active", token, active="1")
    assert (await fresh(runtime, Service, studio.spinning)).active is True


async def test_other_business_services_and_trainers_are_not_found(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_studio(runtime, business)
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = await catalog.add_staff(session, other.id, "Zé", NOW)
        their_service = await catalog.add_service(session, other.id, "Crossfit", NOW, duration_min=60, trainer_ids=[theirs.id])
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/settings/services/{their_service.id}")).status == 404
    form = [("csrf_token", token), *service_form([theirs.id])]
    assert (await web.post(f"/admin/settings/services/{their_service.id}", data=form, allow_redirects=False)).status == 404
    assert (await post(web, f"/admin/settings/services/{their_service.id}/active", token, active="0")).status == 404
    assert (await web.post("/admin/settings/services", data=form, allow_redirects=False)).status == 404
    assert (await fresh(runtime, Service, their_service.id)).active is True
    assert [s.name for s in await services(runtime, business.id)] == ["Treino personal", "Spinning"]


async def test_trainer_cannot_manage_services(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token, _ = await as_trainer(web, runtime, business)
    assert (await web.get("/admin/settings/services")).status == 403
    assert (await post(web, f"/admin/settings/services/{studio.personal}/active", token, active="0")).status == 403
    assert (await fresh(runtime, Service, studio.personal)).active is True


async def test_owner_lists_a_template_with_its_variables(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/templates", token, name="class_reminder", language="pt_BR",
                          purpose="reminder", variables="client_name, session_time")
    assert response.status == 302
    async with runtime.sessions() as session:
        saved = (await session.execute(select(MessageTemplate))).scalar_one()
    assert (saved.business_id, saved.name, saved.variables, saved.active) == (business.id, "class_reminder",
                                                                              ["client_name", "session_time"], True)
    page = await (await web.get("/admin/settings/templates")).text()
    assert "class_reminder" in page and "{{2}}</code> session_time" in page


def needed_row(page: str, name: str) -> str:
    """The text of the "Templates FitZap sends" row for `name`."""
    start = page.index(f"<td><code>{name}</code></td>")
    return visible_text(page[start:page.index("</tr>", start)]).strip()


async def test_owner_sees_which_templates_fitzap_sends_are_still_missing(web: TestClient, runtime: Runtime,
                                                                         business: Business) -> None:
    token = await as_owner(web, runtime, business)
    page = await (await web.get("/admin/settings/templates")).text()
    for name in ("appointment_reminder", "session_followup", "missed_session", "waitlist_offer", "trainer_daily_digest",
                 "team_booked", "team_moved", "team_cancelled", "team_marked", "class_cancelled"):
        assert "missing add it" in needed_row(page, name)
    assert "{{1}} client_name, {{2}} service, {{3}} when, {{4}} trainer" in needed_row(page, "appointment_reminder")
    assert "3 quick-reply buttons" in needed_row(page, "appointment_reminder")

    form = await (await web.get("/admin/settings/templates", params={"use": "missed_session"})).text()
    assert 'value="missed_session"' in form and 'value="client_name, service, when"' in form
    await post(web, "/admin/settings/templates", token, name="missed_session", language="pt_BR", purpose="generic",
               variables="client_name, service, when")
    await post(web, "/admin/settings/templates", token, name="missed_session", language="en", purpose="generic",
               variables="client_name, service, when")
    page = await (await web.get("/admin/settings/templates")).text()
    assert needed_row(page, "missed_session").endswith("en, pt_BR")
    assert "missing" in needed_row(page, "session_followup")


async def test_template_names_follow_meta_rules(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/settings/templates", token, name="Class Reminder!", language="portuguese",
                          purpose="reminder", variables="client name")
    page = await response.text()
    assert response.status == 400
    assert "lower-case letters, digits and underscores" in page and "pt_BR" in page and "variable names" in page
    await post(web, "/admin/settings/templates", token, name="winback", language="en", purpose="reengagement")
    response = await post(web, "/admin/settings/templates", token, name="winback", language="en", purpose="generic")
    assert response.status == 400 and "already a template winback in en" in await response.text()
    async with runtime.sessions() as session:
        assert [t.purpose for t in (await session.execute(select(MessageTemplate))).scalars()] == ["reengagement"]


async def test_template_edit_and_stop_using_are_scoped(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    await post(web, "/admin/settings/templates", token, name="waitlist_offer", language="pt_BR", purpose="waitlist")
    async with runtime.sessions() as session:
        mine = (await session.execute(select(MessageTemplate))).scalar_one()
    assert "waitlist_offer" in await (await web.get(f"/admin/settings/templates/{mine.id}")).text()
    await post(web, f"/admin/settings/templates/{mine.id}", token, name="waitlist_offer", language="en", purpose="waitlist")
    await post(web, f"/admin/settings/templates/{mine.id}/active", token, active="0")
    saved = await fresh(runtime, MessageTemplate, mine.id)
    assert (saved.language, saved.active) == ("en", False)
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = MessageTemplate(business_id=other.id, name="theirs", language="en", purpose="generic", variables=[],
                                 active=True, created_at=NOW)
        session.add(theirs)
    assert (await web.get(f"/admin/settings/templates/{theirs.id}")).status == 404
    assert (await post(web, f"/admin/settings/templates/{theirs.id}", token, name="mine", language="en",
                       purpose="generic")).status == 404
    assert (await post(web, f"/admin/settings/templates/{theirs.id}/active", token, active="0")).status == 404
    assert (await fresh(runtime, MessageTemplate, theirs.id)).name == "theirs"


async def test_trainer_cannot_manage_templates(web: TestClient, runtime: Runtime, business: Business) -> None:
    token, _ = await as_trainer(web, runtime, business)
    assert (await web.get("/admin/settings/templates")).status == 403
    response = await post(web, "/admin/settings/templates", token, name="x", language="en", purpose="generic")
    assert response.status == 403
