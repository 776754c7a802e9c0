"""The staff page (not built yet)."""
from aiohttp import web

routes = web.RouteTableDef()
