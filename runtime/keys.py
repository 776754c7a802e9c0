"""Typed keys for what the aiohttp app holds that the web edge and the panel both use."""
from __future__ import annotations

from aiohttp import web

from runtime.resources import Runtime
from runtime.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
# True when the app listens on loopback alone (`fitzap demo`'s default): there the sandbox routes and the
# demo's /metrics answer without a login, as nobody else can reach them.
LOOPBACK_ONLY = web.AppKey("loopback_only", bool)
