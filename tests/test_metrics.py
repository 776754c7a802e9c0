"""/metrics tells an operator how many webhooks came in and how far behind the message path is."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select, update

from app.bootstrap import bootstrap
from app.web import create_web_app
from domain.models import OutboundMessage
from runtime.settings import Settings
from tests.conftest import make_settings
from tests.support import drain, inbound, serving, signed

METRICS_OFF = "/metrics is off (404) until METRICS_TOKEN or METRICS_PUBLIC=true is set"


@pytest.fixture
def settings(database: str) -> Settings:
    """These tests scrape as a Prometheus inside a private network would: METRICS_PUBLIC, no token."""
    return make_settings(METRICS_PUBLIC=True)


async def scrape(web, headers: dict[str, str] | None = None) -> dict[str, float]:  # type: ignore[no-untyped-def]
    response = await web.get("/metrics", headers=headers or {})
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


async def test_webhooks_are_counted_by_outcome(web, runtime, business):
    raw, headers = signed(inbound("text"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    forged_raw, forged = signed(inbound("text"), secret="not-the-app-secret")
    assert (await web.post("/webhooks/whatsapp", data=forged_raw, headers=forged)).status == 401
    bad_raw, bad = signed(b"{not json")
    assert (await web.post("/webhooks/whatsapp", data=bad_raw, headers=bad)).status == 400
    other_raw, other = signed(inbound("text", phone_number_id="999999999"))
    assert (await web.post("/webhooks/whatsapp", data=other_raw, headers=other)).status == 200

    figures = await scrape(web)
    assert figures["fitzap_webhooks_total{outcome=stored}"] == 1
    assert figures["fitzap_webhooks_total{outcome=invalid_signature}"] == 1
    assert figures["fitzap_webhooks_total{outcome=malformed}"] == 1
    assert figures["fitzap_webhooks_total{outcome=ignored}"] == 1
    assert figures["fitzap_webhook_seconds_count"] == 4
    assert figures["process_resident_memory_bytes"] > 0


async def test_backlog_shows_messages_waiting_for_a_worker_then_for_delivery(web, runtime, business, broker, clock):
    raw, headers = signed(inbound("text"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    clock.advance(seconds=30)
    figures = await scrape(web)
    assert figures["fitzap_database_up"] == 1
    assert figures["fitzap_inbound_unprocessed"] == 1
    assert figures["fitzap_inbound_oldest_s"] >= 30
    assert figures["fitzap_outbound_unfinished"] == 0

    await drain(broker, runtime, only_inbound=True)  # answered, but the Graph API is unreachable: nothing sent yet
    figures = await scrape(web)
    assert figures["fitzap_inbound_unprocessed"] == 0 and figures["fitzap_inbound_oldest_s"] == 0
    assert figures["fitzap_outbound_unfinished"] == 2  # the greeting and the menu (a failed read receipt is not retried)


async def test_failed_sends_of_the_last_hour_are_counted(web, runtime, business, broker, clock):
    raw, headers = signed(inbound("text"))
    assert (await web.post("/webhooks/whatsapp", data=raw, headers=headers)).status == 200
    await drain(broker, runtime, only_inbound=True)
    now = clock.now()
    async with runtime.sessions.begin() as session:
        ids = (await session.execute(select(OutboundMessage.id).order_by(OutboundMessage.id))).scalars().all()
        for row_id, failed_at in ((ids[0], now - timedelta(minutes=10)), (ids[1], now - timedelta(hours=2))):
            await session.execute(update(OutboundMessage).where(OutboundMessage.id == row_id)
                                  .values(status="failed", failed_at=failed_at))
    figures = await scrape(web)
    assert figures["fitzap_outbound_failed_last_hour"] == 1
    assert figures["fitzap_outbound_unfinished"] == 1


async def test_metrics_need_the_bearer_token_when_one_is_set(runtime, broker):
    settings = make_settings(METRICS_TOKEN="scrape-token-0123456789")
    async with serving(bootstrap(settings, clock=runtime.clock)) as web:
        assert (await web.get("/metrics")).status == 401
        assert (await web.get("/metrics", headers={"Authorization": "Bearer wrong-token-0123456789"})).status == 401
        figures = await scrape(web, {"Authorization": "Bearer scrape-token-0123456789"})
    assert figures["fitzap_webhooks_total{outcome=stored}"] == 0


async def test_production_metrics_are_off_until_a_token_or_metrics_public_is_set(runtime, caplog):
    caplog.set_level(logging.INFO)
    async with serving(bootstrap(make_settings(), clock=runtime.clock)) as web:
        assert (await web.get("/metrics")).status == 404
    assert [r.getMessage() for r in caplog.records if "METRICS_PUBLIC" in r.getMessage()] == [METRICS_OFF]


async def test_metrics_public_or_a_token_says_nothing_at_start(runtime, caplog):
    caplog.set_level(logging.INFO)
    async with serving(bootstrap(make_settings(METRICS_PUBLIC=True), clock=runtime.clock)) as web:
        assert (await web.get("/metrics")).status == 200
    async with serving(bootstrap(make_settings(METRICS_TOKEN="scrape-token-0123456789"), clock=runtime.clock)) as web:
        assert (await web.get("/metrics")).status == 401
    assert not [r for r in caplog.records if METRICS_OFF in r.getMessage()]


@pytest.mark.parametrize(("loopback_only", "status"), [(True, 200), (False, 404)])
async def test_the_demo_keeps_metrics_open_on_loopback_only(runtime, loopback_only, status):
    app = bootstrap(make_settings(FITZAP_MODE="demo", FITZAP_CHANNEL="sandbox"), clock=runtime.clock)
    async with TestClient(TestServer(create_web_app(app, loopback_only=loopback_only))) as web:
        assert (await web.get("/metrics")).status == status
    await app.close()
