"""Typed keys for what the aiohttp app holds for the web edge alone."""
from __future__ import annotations

from aiohttp import web

from bot.inbound_store import InboundStore
from bot.metrics import WebMetrics

INBOUND_STORE = web.AppKey("inbound_store", InboundStore)
METRICS = web.AppKey("metrics", WebMetrics)
