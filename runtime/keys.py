"""Typed keys for what the aiohttp app holds that the web edge and the panel both use."""
from __future__ import annotations

from aiohttp import web

from runtime.resources import Runtime
from runtime.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
