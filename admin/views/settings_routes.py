"""The one route table of the settings pages; each section module adds its handlers to it."""
from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
