"""The few pages a client opens from the chat (payment and receipt, the demo's checkout): their own
templates, escaped, outside the panel's."""
from __future__ import annotations

from typing import Any

import jinja2
from aiohttp import web

_PAGES = jinja2.Environment(loader=jinja2.PackageLoader("bot", "templates"), autoescape=True)


def page(template: str, status: int = 200, **context: Any) -> web.Response:
    html = _PAGES.get_template(template).render(**context)
    return web.Response(text=html, status=status, content_type="text/html", headers={"Cache-Control": "no-store"})
