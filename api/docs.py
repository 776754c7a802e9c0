"""/api/docs: the OpenAPI document as one server-rendered page (no script, nothing from another site)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import orjson
from aiohttp import web
from aiohttp.typedefs import Handler

from api.problems import CODES

HERE = Path(__file__).parent
_env = jinja2.Environment(loader=jinja2.PackageLoader("api", "templates"), autoescape=True)
_env.filters["pretty"] = lambda value: orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()


def render(doc: dict[str, Any]) -> str:
    operations = [{"method": method.upper(), "path": path, **op}
                  for path, item in doc["paths"].items() for method, op in item.items()]
    return _env.get_template("api/docs.html").render(doc=doc, operations=operations, schemas=doc["components"]["schemas"],
                                                     codes=CODES)


def handler(doc: dict[str, Any]) -> Handler:
    page = render(doc).encode()

    async def docs_page(request: web.Request) -> web.Response:
        return web.Response(body=page, content_type="text/html", charset="utf-8")

    return docs_page


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(body=(HERE / "templates" / "api" / "docs.css").read_bytes(), content_type="text/css")
