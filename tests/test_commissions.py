"""Trainers' commissions: per-trainer and per-service rates over sessions delivered and packs sold, the
monthly report in the panel and its CSV."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient
from sqlalchemy import update

from domain.models import AdminUser, Booking, Business, Client, Service
from domain.payments import purchases
from domain.scheduling import booking
from runtime.resources import Runtime
from tests.booking_setup import make_studio
from tests.settings_support import as_owner, post
from tests.stripe_support import add_demo_products

# Monday 23 Nov 2026, 09:00 in São Paulo; the sessions are on the 24th.
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


async def test_the_month_report_pays_each_trainer_on_sessions_delivered_and_sales(
        web: TestClient, runtime: Runtime, business: Business, clock) -> None:  # type: ignore[no-untyped-def]
    clock._now = NOW
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    async with runtime.sessions.begin() as session:
        ana_sessions = []
        for hour, client in ((10, 0), (12, 1), (14, 2)):  # 07:00, 09:00, 11:00 local
            made = await booking.book_personal(session, business.id, client_id=studio.clients[client], service_id=studio.personal,
                                               staff_id=studio.ana, starts_at=datetime(2026, 11, 24, hour, tzinfo=UTC), now=NOW)
            ana_sessions.append(made.id)
        # Two delivered, one not (still only booked): the third does not count.
        await session.execute(update(Booking).where(Booking.id.in_(ana_sessions[:2])).values(status="completed"))
        sold = await add_demo_products(session, business.id, NOW)
        ana_login = AdminUser(business_id=business.id, email="ana@studio.test", name="Ana", password_hash="x", role="trainer",
                              staff_id=studio.ana, active=True, created_at=NOW)
        session.add(ana_login)
        await session.flush()
        shop = await session.get(Business, business.id)
        client = await session.get(Client, studio.clients[0])
        await purchases.record_payment(session, shop, client.id, sold["pack"].id, NOW, method="cash", recorded_by=ana_login.id)
        price = (await session.get(Service, studio.personal)).price_cents
    assert (await post(web, f"/admin/staff/trainers/{studio.ana}/commission", token, commission_percent="10",
                       **{f"service_{studio.personal}": "40"})).status == 302
    page = await web.get("/admin/commissions?month=2026-11")
    text = await page.text()
    assert page.status == 200 and "Ana" in text
    export = await web.get("/admin/commissions.csv?month=2026-11")
    assert export.headers["Content-Disposition"] == 'attachment; filename="commissions-2026-11.csv"'
    rows = {r["trainer"]: r for r in csv.DictReader(io.StringIO(await export.text()))}
    ana = rows["Ana"]
    assert (ana["sessions"], ana["sessions_value"]) == ("2", f"{2 * price / 100:.2f}")
    assert ana["sessions_commission"] == f"{round(2 * price * 40 / 100) / 100:.2f}"  # the personal session's own rate
    assert (ana["sales"], ana["sales_value"], ana["sales_commission"]) == ("1", "450.00", "45.00")  # her 10 %


async def test_commission_rates_are_checked(web: TestClient, runtime: Runtime, business: Business) -> None:
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    for bad in ({"commission_percent": "150"}, {"commission_percent": "-1"}, {"commission_percent": "abc"},
                {"commission_percent": "5", f"service_{studio.personal}": "9" * 30}):
        assert (await post(web, f"/admin/staff/trainers/{studio.ana}/commission", token, **bad)).status == 302
    page = await (await web.get(f"/admin/staff/trainers/{studio.ana}")).text()
    assert "Nothing was saved" in page
    assert (await post(web, "/admin/staff/trainers/999999/commission", token, commission_percent="5")).status == 404
    assert (await post(web, f"/admin/staff/trainers/{studio.ana}/commission", token, commission_percent="5",
                       service_999999="5")).status == 404
    assert (await web.get("/admin/commissions?month=9999-99")).status == 400
    assert (await web.get("/admin/commissions.csv?month=abc")).status == 400
