"""Headers on every response of the web app: HSTS in production, no-store on panel pages, no versions in Server."""
from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

from app.bootstrap import bootstrap
from app.web import create_web_app
from domain.models import Business
from runtime.resources import Runtime
from tests.admin_support import login, make_user
from tests.conftest import make_settings
from tests.support import serving

EVERY_KIND = ["/admin/login", "/admin/dashboard", "/admin/static/admin.css", "/healthz", "/webhooks/whatsapp", "/no-such-page"]


@pytest.mark.parametrize("path", EVERY_KIND)
async def test_no_response_names_the_server_software_version(web: TestClient, path: str) -> None:
    response = await web.get(path, allow_redirects=False)
    assert response.headers["Server"] == "FitZap"


@pytest.mark.parametrize("path", EVERY_KIND)
async def test_production_tells_browsers_to_use_https_only(web: TestClient, path: str) -> None:
    response = await web.get(path, allow_redirects=False)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


async def test_the_demo_on_plain_http_sends_no_hsts(runtime: Runtime) -> None:
    settings = make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox")
    async with serving(bootstrap(settings, clock=runtime.clock)) as client:
        for path in ("/admin/login", "/healthz"):
            response = await client.get(path, allow_redirects=False)
            assert "Strict-Transport-Security" not in response.headers and response.headers["Server"] == "FitZap"


async def test_panel_pages_are_never_cached_but_static_files_may_be(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await login(web)
    for path in ("/admin/login", "/admin/dashboard", "/admin/clients"):
        assert (await web.get(path, allow_redirects=False)).headers["Cache-Control"] == "no-store", path
    assert "Cache-Control" not in (await web.get("/admin/static/admin.css")).headers


async def test_a_malformed_request_gets_no_software_version_either(web: TestClient) -> None:
    """aiohttp's own parser answers these before the app sees them."""
    reader, writer = await asyncio.open_connection(web.server.host, web.server.port)
    writer.write(b"GARBAGE\r\n\r\n")
    await writer.drain()
    answer = (await reader.read(4096)).decode(errors="replace")
    writer.close()
    assert answer.startswith("HTTP/1.") and " 400 " in answer.split("\r\n")[0]
    assert "Server: FitZap" in answer and "aiohttp" not in answer.split("\r\n\r\n")[0]


async def test_a_path_segment_no_file_could_have_is_404_not_500(web: TestClient) -> None:
    assert (await web.get("/admin/static/" + "a" * 256)).status == 404
    assert (await web.get("/ical/trainers/a%00b.ics")).status == 404
    assert (await web.get("/ical/trainers/" + "x" * 300 + ".ics")).status == 404


async def test_the_loopback_demo_answers_only_to_its_own_host_names(runtime: Runtime) -> None:
    """A page elsewhere that rebinds its DNS name to 127.0.0.1 must not read the demo's sandbox."""
    demo_app = bootstrap(make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox"), clock=runtime.clock)
    async with TestClient(TestServer(create_web_app(demo_app, loopback_only=True))) as client:
        assert (await client.get("/sandbox/messages?to=1", headers={"Host": "attacker.example"})).status == 421
        assert (await client.get("/healthz", headers={"Host": f"localhost:{client.server.port}"})).status == 200
        assert (await client.get("/healthz")).status == 200
    await demo_app.close()
