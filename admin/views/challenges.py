"""Placeholder: filled in by the training work."""
from __future__ import annotations

from aiohttp import web

routes = web.RouteTableDef()
