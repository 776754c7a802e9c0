"""The panel's front door: login, sessions, throttling, CSRF, roles and security headers."""
from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

from app.bootstrap import bootstrap
from cli.main import main as fitzap
from domain.models import AdminUser, Business
from runtime.resources import Runtime
from tests.admin_support import PASSWORD, csrf_of, login, make_user
from tests.conftest import make_settings
from tests.support import serving


async def _post_login(web: TestClient, email: str, password: str, **extra: str):
    token = await csrf_of(web)
    return await web.post("/admin/login", data={"email": email, "password": password, "csrf_token": token, **extra},
                          allow_redirects=False)


async def test_anonymous_visitor_is_sent_to_login(web: TestClient) -> None:
    response = await web.get("/admin/clients?q=ana", allow_redirects=False)
    assert response.status == 302
    assert response.headers["Location"] == "/admin/login?next=/admin/clients?q=ana"


async def test_anonymous_post_is_refused(web: TestClient) -> None:
    token = await csrf_of(web)
    response = await web.post("/admin/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status in (302, 403)
    response = await web.post("/admin/settings", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 403


async def test_owner_logs_in_and_sees_the_dashboard(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id, name="Olga Owner")
    response = await _post_login(web, "  OWNER@studio.test ", PASSWORD, next="/admin/dashboard")
    assert response.status == 302 and response.headers["Location"] == "/admin/dashboard"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = await (await web.get("/admin/dashboard")).text()
    assert "Olga Owner" in page and "Log out" in page


async def test_password_is_stored_as_argon2id(runtime: Runtime, business: Business) -> None:
    user = await make_user(runtime, business.id)
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


async def test_wrong_password_and_unknown_email_get_the_same_answer(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    wrong = await _post_login(web, "owner@studio.test", "not the password")
    unknown = await _post_login(web, "nobody@studio.test", "not the password")
    assert wrong.status == unknown.status == 400
    assert "Wrong email or password." in await wrong.text()
    assert "Wrong email or password." in await unknown.text()
    assert "not the password" not in await wrong.text()


async def test_five_failures_lock_the_account_for_a_while(web: TestClient, runtime: Runtime, business: Business, clock) -> None:
    await make_user(runtime, business.id)
    for _ in range(5):
        assert (await _post_login(web, "owner@studio.test", "guess guess guess")).status == 400
    locked = await _post_login(web, "owner@studio.test", PASSWORD)
    assert locked.status == 429 and "Too many failed attempts" in await locked.text()
    clock.advance(minutes=16)
    assert (await _post_login(web, "owner@studio.test", PASSWORD)).status == 302


async def test_one_address_guessing_many_accounts_is_throttled(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    for n in range(20):
        await _post_login(web, f"victim{n}@studio.test", "guess guess guess")
    response = await _post_login(web, "owner@studio.test", PASSWORD)
    assert response.status == 429


async def test_login_without_csrf_token_is_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await csrf_of(web)
    response = await web.post("/admin/login", data={"email": "owner@studio.test", "password": PASSWORD}, allow_redirects=False)
    assert response.status == 403
    forged = await web.post("/admin/login", data={"email": "owner@studio.test", "password": PASSWORD, "csrf_token": "x" * 43},
                            allow_redirects=False)
    assert forged.status == 403


async def test_logout_needs_csrf_and_ends_the_session(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    token = await login(web)
    assert (await web.post("/admin/logout", allow_redirects=False)).status == 403
    assert (await web.post("/admin/logout", data={"csrf_token": token}, allow_redirects=False)).status == 302
    assert (await web.get("/admin/dashboard", allow_redirects=False)).status == 302


async def test_deactivated_user_is_logged_out_on_next_click(web: TestClient, runtime: Runtime, business: Business) -> None:
    user = await make_user(runtime, business.id)
    await login(web)
    async with runtime.sessions.begin() as session:
        await session.execute(update(AdminUser).where(AdminUser.id == user.id).values(active=False))
    assert (await web.get("/admin/dashboard", allow_redirects=False)).status == 302
    assert (await _post_login(web, "owner@studio.test", PASSWORD)).status == 400


async def test_next_never_leaves_the_panel(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    response = await _post_login(web, "owner@studio.test", PASSWORD, next="//evil.example/admin")
    assert response.headers["Location"] == "/admin/dashboard"


async def test_trainer_does_not_see_owner_menu(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id, role="trainer", email="t@studio.test", name="Tina Trainer")
    await login(web, "t@studio.test")
    page = await (await web.get("/admin/dashboard")).text()
    assert "Tina Trainer" in page and "/admin/settings" not in page


async def test_names_cannot_inject_script(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id, name="<script>alert(1)</script>")
    await login(web)
    page = await (await web.get("/admin/dashboard")).text()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


async def test_pages_carry_security_headers(web: TestClient) -> None:
    response = await web.get("/admin/login")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp and "'nonce-" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_production_session_cookie_is_secure_by_default(runtime: Runtime, business: Business, broker) -> None:
    settings = make_settings(ADMIN_COOKIE_SECURE=None)
    assert settings.cookie_secure
    await make_user(runtime, business.id)
    async with serving(bootstrap(settings, clock=runtime.clock)) as client:
        token = await csrf_of(client)  # the anonymous session cookie is Secure, so the jar will not send it back
        response = await client.post("/admin/login", data={"email": "owner@studio.test", "password": PASSWORD, "csrf_token": token},
                                     allow_redirects=False)
        assert response.status == 403
        assert "Secure" in (await client.get("/admin/login")).headers["Set-Cookie"]


async def test_create_admin_makes_the_first_owner(runtime: Runtime, business: Business, monkeypatch, capsys, web: TestClient) -> None:
    for name, value in make_settings().model_dump(by_alias=True).items():
        if value is not None:
            monkeypatch.setenv(name, value.get_secret_value() if hasattr(value, "get_secret_value") else str(value))
    monkeypatch.setenv("FITZAP_ADMIN_PASSWORD", "a long enough password")
    await asyncio.to_thread(fitzap, ["create-admin", "--email", "Boss@Studio.test", "--name", "Boss"])
    assert "created owner boss@studio.test" in capsys.readouterr().out
    async with runtime.sessions() as session:
        assert await session.scalar(select(AdminUser.role).where(AdminUser.email == "boss@studio.test")) == "owner"
    await login(web, "boss@studio.test", "a long enough password")


async def test_create_admin_refuses_a_short_password(runtime: Runtime, business: Business, monkeypatch, capsys) -> None:
    for name, value in make_settings().model_dump(by_alias=True).items():
        if value is not None:
            monkeypatch.setenv(name, value.get_secret_value() if hasattr(value, "get_secret_value") else str(value))
    monkeypatch.setenv("FITZAP_ADMIN_PASSWORD", "short")
    with pytest.raises(SystemExit) as exit_:
        await asyncio.to_thread(fitzap, ["create-admin", "--email", "boss@studio.test"])
    assert exit_.value.code == 1
    assert "at least 10 characters" in capsys.readouterr().err


async def test_checking_a_password_does_not_hold_up_the_event_loop(web: TestClient, runtime: Runtime, business: Business,
                                                                   monkeypatch) -> None:
    from domain.people import admin_users

    await make_user(runtime, business.id)
    checking: list[float] = []
    real = admin_users._password_matches

    def slow_check(password_hash: str, password: str) -> bool:  # argon2 at a high cost
        checking.append(time.monotonic())
        time.sleep(0.3)
        checking.append(time.monotonic())
        return real(password_hash, password)

    monkeypatch.setattr(admin_users, "_password_matches", slow_check)
    ticks: list[float] = []

    async def ticker() -> None:
        while len(checking) < 2:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    response, _ = await asyncio.gather(_post_login(web, "owner@studio.test", PASSWORD), ticker())
    assert response.status == 302  # logged in
    assert any(checking[0] < tick < checking[1] for tick in ticks)  # the loop went on (webhooks, health checks)
