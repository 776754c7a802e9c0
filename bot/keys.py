"""Typed keys for what the aiohttp app holds."""
from __future__ import annotations

from aiohttp import web

from bot.group_commit import GroupCommit
from bot.metrics import WebMetrics
from runtime.resources import Runtime
from runtime.settings import Settings
from runtime.wake import Enqueuer

SETTINGS = web.AppKey("settings", Settings)
RUNTIME = web.AppKey("runtime", Runtime)
ENQUEUER = web.AppKey("enqueuer", Enqueuer)
GROUP_COMMIT = web.AppKey("group_commit", GroupCommit)
METRICS = web.AppKey("metrics", WebMetrics)
