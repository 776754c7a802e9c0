"""The staff page: trainers (add, edit, deactivate) and panel logins (add, role, deactivate), owner only."""
from __future__ import annotations

import asyncio

from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from admin.page_support import local_time
from domain.models import AdminUser, Business, Staff
from domain.people import panel_users
from domain.scheduling import catalog
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.settings_support import NOW, as_owner, as_trainer, fresh, other_business, post


async def staff_names(runtime: Runtime, business_id: int) -> list[str]:
    async with runtime.sessions() as session:
        return list((await session.execute(select(Staff.name).where(Staff.business_id == business_id)
                                           .order_by(Staff.id))).scalars())


async def user(runtime: Runtime, email: str) -> AdminUser | None:
    async with runtime.sessions() as session:
        return await session.scalar(select(AdminUser).where(AdminUser.email == email))


async def test_owner_adds_a_trainer_with_digest_number(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/staff/trainers", token, name="Carla", email="Carla@Studio.test",
                          whatsapp="+55 (11) 98765-4321")
    assert response.status == 302
    async with runtime.sessions() as session:
        carla = await session.scalar(select(Staff).where(Staff.name == "Carla"))
    assert (carla.business_id, carla.email, carla.wa_id, carla.active) == (business.id, "carla@studio.test", "5511987654321", True)
    page = await (await web.get("/admin/staff")).text()
    assert "Trainer Carla added." in page and "+5511987654321" in page


async def test_bad_trainer_details_are_refused_and_nothing_saved(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/staff/trainers", token, name="", email="carla-at-studio", whatsapp="12")
    page = await response.text()
    assert response.status == 400
    assert "This is required." in page and "not an e-mail address" in page and "with its country code" in page
    assert await staff_names(runtime, business.id) == []


async def test_owner_edits_and_deactivates_a_trainer(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    token = await as_owner(web, runtime, business)
    page = await (await web.get(f"/admin/staff/trainers/{ana.id}")).text()
    assert "Ana" in page and f"/ical/trainers/{ana.ical_token}.ics</code>" in page  # her calendar link to subscribe to
    assert (await post(web, f"/admin/staff/trainers/{ana.id}", token, name="Ana Paula", whatsapp="5511912345678")).status == 302
    response = await post(web, f"/admin/staff/trainers/{ana.id}", token, name="Ana Paula", email="nope")
    assert response.status == 400 and "not an e-mail address" in await response.text()
    assert (await post(web, f"/admin/staff/trainers/{ana.id}/active", token, active="0")).status == 302
    saved = await fresh(runtime, Staff, ana.id)
    assert (saved.name, saved.wa_id, saved.email, saved.active) == ("Ana Paula", "5511912345678", None, False)


async def test_other_business_trainer_is_not_found(web: TestClient, runtime: Runtime, business: Business) -> None:
    other = await other_business(runtime)
    async with runtime.sessions.begin() as session:
        theirs = await catalog.add_staff(session, other.id, "Zé", NOW)
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/staff/trainers/{theirs.id}")).status == 404
    assert (await post(web, f"/admin/staff/trainers/{theirs.id}", token, name="Mine now")).status == 404
    assert (await post(web, f"/admin/staff/trainers/{theirs.id}", token, name="")).status == 404
    assert (await post(web, f"/admin/staff/trainers/{theirs.id}/active", token, active="0")).status == 404
    saved = await fresh(runtime, Staff, theirs.id)
    assert (saved.name, saved.active) == ("Zé", True)


async def test_owner_adds_a_trainer_login_who_can_then_log_in(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/staff/users", token, name="Ana", email="Ana@Studio.test", role="trainer",
                          staff_id=str(ana.id), password="a long password")
    assert response.status == 302
    added = await user(runtime, "ana@studio.test")
    assert (added.role, added.staff_id, added.business_id) == ("trainer", ana.id, business.id)
    assert added.password_hash.startswith("$argon2") and "a long password" not in added.password_hash
    web.session.cookie_jar.clear()
    await login(web, "ana@studio.test", "a long password")
    assert (await web.get("/admin/staff")).status == 403


async def test_last_login_is_shown_in_the_business_time_zone(web: TestClient, runtime: Runtime, business: Business) -> None:
    await as_owner(web, runtime, business)
    me = await user(runtime, "owner@studio.test")
    page = await (await web.get("/admin/staff")).text()
    assert me.last_login_at is not None and local_time(business.timezone)(me.last_login_at) in page and " UTC<" not in page


async def test_short_password_taken_email_and_missing_trainer_are_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await post(web, "/admin/staff/users", token, name="Bo", email="bo@studio.test", role="trainer",
                          password="short")
    page = await response.text()
    assert response.status == 400 and "at least 10 characters" in page and "Choose which trainer" in page
    response = await post(web, "/admin/staff/users", token, name="Olga 2", email="OWNER@studio.test", role="owner",
                          password="another long one")
    page = await response.text()
    assert response.status == 400 and "already exists" in page and "another long one" not in page
    assert await user(runtime, "bo@studio.test") is None


async def test_last_owner_cannot_demote_self(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    token = await as_owner(web, runtime, business)
    me = await user(runtime, "owner@studio.test")
    response = await post(web, f"/admin/staff/users/{me.id}/role", token, role="trainer", staff_id=str(ana.id))
    assert response.status == 400 and "the only owner" in await response.text()
    response = await post(web, f"/admin/staff/users/{me.id}/active", token, active="0")
    assert response.status == 400 and "the only owner" in await response.text()
    saved = await user(runtime, "owner@studio.test")
    assert (saved.role, saved.active) == ("owner", True)


async def test_with_a_second_owner_an_owner_may_step_down(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    token = await as_owner(web, runtime, business)
    second = await make_user(runtime, business.id, email="second@studio.test", name="Sam")
    me = await user(runtime, "owner@studio.test")
    response = await post(web, f"/admin/staff/users/{me.id}/role", token, role="trainer", staff_id=str(ana.id))
    assert response.status == 302 and response.headers["Location"] == "/admin/dashboard"
    assert (await user(runtime, "owner@studio.test")).role == "trainer"
    assert (await web.get("/admin/staff")).status == 403  # the change takes effect at once
    async with runtime.sessions() as session:
        assert (await session.get(AdminUser, second.id)).role == "owner"


async def test_deactivated_login_is_logged_out(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    trainer = await make_user(runtime, business.id, role="trainer", email="t@studio.test", name="Tom")
    assert (await post(web, f"/admin/staff/users/{trainer.id}/active", token, active="0")).status == 302
    assert (await user(runtime, "t@studio.test")).active is False
    assert "Tom can no longer log in." in await (await web.get("/admin/staff")).text()


async def test_other_business_login_is_not_found(web: TestClient, runtime: Runtime, business: Business) -> None:
    other = await other_business(runtime)
    theirs = await make_user(runtime, other.id, email="boss@other.test", name="Boss")
    token = await as_owner(web, runtime, business)
    assert (await post(web, f"/admin/staff/users/{theirs.id}/active", token, active="0")).status == 404
    assert (await post(web, f"/admin/staff/users/{theirs.id}/role", token, role="owner")).status == 404
    assert (await user(runtime, "boss@other.test")).active is True
    assert "boss@other.test" not in await (await web.get("/admin/staff")).text()


async def test_trainer_and_anonymous_cannot_use_the_staff_page(web: TestClient, runtime: Runtime, business: Business) -> None:
    response = await web.get("/admin/staff", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"].startswith("/admin/login")
    token, me = await as_trainer(web, runtime, business)
    assert (await web.get("/admin/staff")).status == 403
    assert (await post(web, "/admin/staff/trainers", token, name="Intruder")).status == 403
    assert (await post(web, f"/admin/staff/trainers/{me}/active", token, active="0")).status == 403
    assert (await post(web, "/admin/staff/users", token, name="X", email="x@studio.test", role="owner",
                       password="long enough pw")).status == 403
    assert await staff_names(runtime, business.id) == ["Tina"]


async def test_two_owners_stepping_down_at_once_leave_one_owner(runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    first = await make_user(runtime, business.id, email="first@studio.test")
    second = await make_user(runtime, business.id, email="second@studio.test")

    async def step_down(user_id: int) -> str:
        try:
            async with runtime.sessions.begin() as session:
                await panel_users.set_role(session, business.id, user_id, "trainer", ana.id)
                await asyncio.sleep(0.1)  # both transactions are open at once
            return "stepped down"
        except panel_users.LastOwner:
            return "refused"

    assert sorted(await asyncio.gather(step_down(first.id), step_down(second.id))) == ["refused", "stepped down"]
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AdminUser).where(
            AdminUser.business_id == business.id, AdminUser.role == "owner")) == 1
