"""Every panel route, whoever wrote it: anonymous visitors are turned away and forms need a CSRF token."""
from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from domain.models import Business
from runtime.resources import Runtime
from tests.admin_support import csrf_of, login, make_user

# The login, "Forgot your password?" and sign-up.
PUBLIC = {"/admin/login", "/admin/password/forgot", "/admin/password/reset", "/admin/signup", "/admin/signup/confirm"}


def _panel_routes(web: TestClient) -> list[tuple[str, str]]:
    routes = []
    for route in web.app.router.routes():
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter")
        if not path or not path.startswith("/admin") or path.startswith("/admin/static") or path in PUBLIC:
            continue
        routes.append((route.method, re.sub(r"\{[^}]+\}", "1", path)))
    return routes


async def test_anonymous_visitors_get_no_panel_page(web: TestClient) -> None:
    routes = _panel_routes(web)
    assert len(routes) > 2
    token = await csrf_of(web)
    for method, path in routes:
        if method in ("GET", "HEAD"):
            response = await web.get(path, allow_redirects=False)
            assert response.status == 302 and response.headers["Location"].startswith("/admin/login"), path
        else:
            response = await web.request(method, path, data={"csrf_token": token}, allow_redirects=False)
            assert response.status == 403, (method, path)


async def test_no_panel_form_is_accepted_without_the_csrf_token(web: TestClient, runtime: Runtime, business: Business) -> None:
    await make_user(runtime, business.id)
    await login(web)
    for method, path in _panel_routes(web):
        if method not in ("GET", "HEAD"):
            response = await web.request(method, path, data={"name": "x"}, allow_redirects=False)
            assert response.status == 403, (method, path)
