"""`fitzap bench admin`: how long each panel page takes to render over a realistic studio (PostgreSQL).

Each page is fetched sequentially by a logged-in owner over a local socket, so the figure is the
server's time plus a fraction of a millisecond of loopback and client.
"""
from __future__ import annotations

import asyncio
import json
import re
import statistics
import time as clock
from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.bootstrap import bootstrap
from app.web import create_web_app
from bench.admin_data import OWNER_EMAIL, PASSWORD, seed_studio
from bench.database import fresh_database
from domain.models import Appointment, Booking, Client, Staff
from runtime.settings import load_settings

DB = "fitzap_bench_admin"
TARGET_MS = 100
WARMUP, TIMED = 3, 30
PAGES = (
    "/admin/dashboard", "/admin/calendar", "/admin/calendar?trainer=all", "/admin/calendar/new",
    "/admin/calendar/bookings/{booking_id}", "/admin/classes", "/admin/classes/{class_id}", "/admin/clients",
    "/admin/clients?q=Cliente%2019", "/admin/clients/{client_id}", "/admin/inbox", "/admin/inbox/{client_id}",
    "/admin/inbox/{client_id}/messages", "/admin/deliveries", "/admin/settings", "/admin/settings/policies",
    "/admin/settings/services", "/admin/settings/hours/{staff_id}", "/admin/settings/templates",
    "/admin/settings/whatsapp", "/admin/staff",
)


async def _login(client: TestClient) -> None:
    page = await (await client.get("/admin/login")).text()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = await client.post("/admin/login", data={"email": OWNER_EMAIL, "password": PASSWORD, "csrf_token": token},
                                 allow_redirects=False)
    assert response.status == 302, f"bench login failed: {response.status}"


async def _time_page(client: TestClient, path: str) -> dict[str, object]:
    timings_ms, status = [], 0
    for i in range(WARMUP + TIMED):
        started = clock.perf_counter()
        response = await client.get(path, allow_redirects=False)
        await response.read()
        if i >= WARMUP:
            timings_ms.append((clock.perf_counter() - started) * 1000)
        status = response.status
    timings_ms.sort()
    return {"page": path, "status": status, "median_ms": round(statistics.median(timings_ms), 2),
            "p95_ms": round(timings_ms[int(len(timings_ms) * 0.95) - 1], 2), "max_ms": round(timings_ms[-1], 2)}


async def _sample_ids(session: AsyncSession, business_id: int, now: datetime) -> dict[str, int | None]:
    """Ids for the detail pages: a client, an upcoming booking and class, a trainer."""
    upcoming = (select(func.min(Booking.id)).join(Appointment, Appointment.id == Booking.appointment_id)
                .where(Booking.business_id == business_id, Appointment.starts_at > now))
    return {
        "client_id": await session.scalar(select(func.min(Client.id)).where(Client.business_id == business_id)),
        "booking_id": await session.scalar(upcoming.where(Appointment.kind == "personal")),
        "class_id": await session.scalar(select(func.min(Appointment.id)).where(
            Appointment.business_id == business_id, Appointment.kind == "class", Appointment.starts_at > now)),
        "staff_id": await session.scalar(select(func.min(Staff.id)).where(Staff.business_id == business_id)),
    }


async def _run() -> list[dict[str, object]]:
    url = await fresh_database(DB)
    settings = load_settings(FITZAP_MODE="demo", DATABASE_URL=url, REDIS_URL=None, FITZAP_CHANNEL="sandbox",
                             WHATSAPP_TOKEN="bench", WHATSAPP_APP_SECRET="bench", WHATSAPP_VERIFY_TOKEN="bench",
                             SECRET_KEY="bench-secret-key-0123456789", ADMIN_COOKIE_SECURE=False)
    app = bootstrap(settings)
    runtime = await app.runtime()
    now = datetime.now(UTC).replace(microsecond=0)
    started = clock.perf_counter()
    async with runtime.sessions.begin() as session:
        business_id = await seed_studio(session, now - timedelta(minutes=1))
    seed_s = clock.perf_counter() - started
    async with runtime.sessions() as session:
        ids = await _sample_ids(session, business_id, now)
    results: list[dict[str, object]] = [{"bench": "admin", "part": "data set", "seconds_to_seed": round(seed_s, 1)}]
    async with TestClient(TestServer(create_web_app(app))) as client:
        await _login(client)
        for path in PAGES:
            results.append(await _time_page(client, path.format(**ids)))
    await app.close()
    return results


def run_admin_bench() -> None:
    """Print one JSON line per page (median/p95/max ms) and a summary against the 100 ms target."""
    results = asyncio.run(_run())
    for line in results:
        print(json.dumps(line), flush=True)
    pages = [r for r in results if "page" in r]
    worst = max(float(r["p95_ms"]) for r in pages)  # type: ignore[arg-type]
    print(json.dumps({"bench": "admin", "pages": len(pages), "worst_p95_ms": worst, "target_ms": TARGET_MS,
                      "met": worst < TARGET_MS and all(r["status"] == 200 for r in pages)}), flush=True)
