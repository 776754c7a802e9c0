"""Headers on every response of the web app: HSTS in production, no-store on panel pages, no versions in Server."""
from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from app.bootstrap import bootstrap
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
