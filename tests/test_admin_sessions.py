"""Panel sessions end on the server: a copied cookie stops working after logout, deactivation or a role change."""
from __future__ import annotations

import aiohttp
from aiohttp.test_utils import TestClient

from domain.models import Business
from domain.scheduling import catalog
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.settings_support import NOW, post


def session_cookie(web: TestClient) -> str:
    """The panel cookie this client holds now, as someone copying it would."""
    return web.session.cookie_jar.filter_cookies(web.make_url("/admin/"))["fitzap_admin"].value


async def dashboard_with(web: TestClient, cookie: str) -> int:
    """The dashboard's status for another browser that only has the copied cookie."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as elsewhere, elsewhere.get(
            web.make_url("/admin/dashboard"), headers={"Cookie": f"fitzap_admin={cookie}"}, allow_redirects=False) as response:
        return response.status


async def test_logout_ends_a_copied_session(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    token = await login(web)
    copied = session_cookie(web)
    assert await dashboard_with(web, copied) == 200
    assert (await post(web, "/admin/logout", token)).status == 302
    assert await dashboard_with(web, copied) == 302
    await login(web)  # logging in again works, with a new cookie
    assert await dashboard_with(web, session_cookie(web)) == 200 and await dashboard_with(web, copied) == 302


async def test_deactivation_ends_the_users_sessions_even_once_reactivated(
        web: TestClient, runtime: Runtime, business: Business) -> None:
    trainer = await make_user(runtime, business.id, role="trainer", email="t@studio.test", name="Tom")
    await make_user(runtime, business.id)
    await login(web, "t@studio.test")
    copied = session_cookie(web)
    token = await login(web)  # the owner, in the same browser now
    assert (await post(web, f"/admin/staff/users/{trainer.id}/active", token, active="0")).status == 302
    assert (await post(web, f"/admin/staff/users/{trainer.id}/active", token, active="1")).status == 302
    assert await dashboard_with(web, copied) == 302


async def test_a_role_change_ends_the_users_sessions(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    trainer = await make_user(runtime, business.id, role="trainer", email="t@studio.test", name="Tom", staff_id=ana.id)
    await make_user(runtime, business.id)
    await login(web, "t@studio.test")
    copied = session_cookie(web)
    token = await login(web)
    assert (await post(web, f"/admin/staff/users/{trainer.id}/role", token, role="owner")).status == 302
    assert await dashboard_with(web, copied) == 302


async def test_stepping_down_keeps_this_session_and_ends_the_others(web: TestClient, runtime: Runtime, business: Business) -> None:
    async with runtime.sessions.begin() as session:
        ana = await catalog.add_staff(session, business.id, "Ana", NOW)
    me = await make_user(runtime, business.id)
    await make_user(runtime, business.id, email="second@studio.test")
    token = await login(web)
    copied = session_cookie(web)
    assert (await post(web, f"/admin/staff/users/{me.id}/role", token, role="trainer", staff_id=str(ana.id))).status == 302
    assert (await web.get("/admin/dashboard", allow_redirects=False)).status == 200
    assert await dashboard_with(web, copied) == 302

