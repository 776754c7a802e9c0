"""The Webhooks page (owners): endpoints added with their secret shown once, bad URLs refused, deliveries with their
attempts, a test event, a retry by hand, and another business's ids a plain 404."""
from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
import respx

from domain.messaging.secret_box import unseal
from domain.models import WebhookDelivery, WebhookEndpoint
from domain.scheduling import booking
from domain.webhooks import deliveries, endpoints, events
from tests.booking_setup import NOW, local, make_studio
from tests.settings_support import as_owner, as_trainer, fresh, other_business, post
from tests.webhook_support import HOOK_URL, PUBLIC_IP, FakeDns, deliveries_of, endpoint, public_dns, received, send_due, set_clock

SECRET = re.compile(r"whsec_[0-9a-f]{48}")


@pytest.fixture(autouse=True)
def dns(runtime):  # type: ignore[no-untyped-def]
    """Saving an endpoint looks its host up: the test hosts answer with a public address, never through real DNS."""
    runtime.resolve = public_dns()
    return runtime.resolve


async def book(runtime, studio, starts_at):  # type: ignore[no-untyped-def]
    async with runtime.sessions.begin() as session:
        return await booking.book_personal(session, studio.business.id, client_id=studio.clients[0],
                                           service_id=studio.personal, staff_id=studio.ana, starts_at=starts_at,
                                           now=runtime.clock.now())


async def endpoints_of(runtime, business_id):  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return await endpoints.of_business(session, business_id)


@respx.mock(assert_all_mocked=True)
async def test_owner_adds_an_endpoint_sees_its_secret_once_and_bookings_arrive_signed_with_it(
        web, runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    token = await as_owner(web, runtime, business)
    response = await web.post("/admin/webhooks", data=[("csrf_token", token), ("url", HOOK_URL),
                                                       ("events", "booking.created"), ("events", "checkin.created")])
    page = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(page).group(0)  # type: ignore[union-attr]
    [made] = await endpoints_of(runtime, business.id)
    assert (made.url, made.events, made.active) == (HOOK_URL, ["booking.created", "checkin.created"], True)
    assert secret not in made.secret_sealed and unseal(runtime.settings.secret_key.get_secret_value(), made.secret_sealed) == secret
    listing = await (await web.get("/admin/webhooks")).text()
    assert HOOK_URL in listing and secret not in listing  # shown once, never again
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    made_booking = await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    body = received(route.calls.last.request, secret, NOW)
    assert body["type"] == "booking.created" and body["data"]["booking_id"] == made_booking.id


async def test_a_bad_url_or_no_event_is_a_form_error_and_nothing_is_saved(web, runtime, business):
    token = await as_owner(web, runtime, business)
    cases = {"http://hooks.example.com/x": "Use an https:// address.", "not a url": "That is not a web address",
             "https://10.0.0.5/hook": "Use a public address", "https://localhost/hook": "Use a public address",
             "ftp://hooks.example.com": "That is not a web address"}
    for url, said in cases.items():
        response = await web.post("/admin/webhooks", data=[("csrf_token", token), ("url", url), ("events", "booking.created")])
        assert response.status == 400 and said in await response.text(), url
    response = await web.post("/admin/webhooks", data=[("csrf_token", token), ("url", HOOK_URL)])
    assert response.status == 400 and "Choose at least one." in await response.text()
    response = await web.post("/admin/webhooks", data=[("csrf_token", token), ("url", HOOK_URL), ("events", "client.deleted")])
    assert response.status == 400 and "Choose among the events listed." in await response.text()
    assert await endpoints_of(runtime, business.id) == []


async def test_a_host_name_that_resolves_inside_a_private_network_is_refused_when_saved(web, runtime, business):
    runtime.resolve = FakeDns({"hooks.example.com": [PUBLIC_IP], "intranet.example.com": ["10.0.0.7"],
                               "metadata.example.com": ["169.254.169.254"], "loop6.example.com": ["::1"],
                               "half.example.com": [PUBLIC_IP, "127.0.0.1"], "mapped.example.com": ["::ffff:192.168.0.10"]})
    token = await as_owner(web, runtime, business)
    for host in ("intranet", "metadata", "loop6", "half", "mapped"):
        response = await post(web, "/admin/webhooks", token, url=f"https://{host}.example.com/hook", events="booking.created")
        page = await response.text()
        assert response.status == 400 and "Use a public address: this one points inside a private network." in page, host
    unknown = await post(web, "/admin/webhooks", token, url="https://nowhere.example.com/hook", events="booking.created")
    assert unknown.status == 400 and "That host name cannot be found: check the address." in await unknown.text()
    assert await endpoints_of(runtime, business.id) == []

    endpoint_id, _ = await endpoint(runtime, business.id, ["booking.created"])
    moved = await post(web, f"/admin/webhooks/{endpoint_id}", token, url="https://intranet.example.com/hook",
                       events="booking.created")
    assert moved.status == 400 and "Use a public address" in await moved.text()
    assert (await fresh(runtime, WebhookEndpoint, endpoint_id)).url == HOOK_URL


async def test_a_post_without_the_csrf_token_changes_nothing(web, runtime, business):
    await as_owner(web, runtime, business)
    response = await web.post("/admin/webhooks", data=[("url", HOOK_URL), ("events", "booking.created")], allow_redirects=False)
    assert response.status in (400, 403)
    assert await endpoints_of(runtime, business.id) == []


@respx.mock(assert_all_mocked=True)
async def test_a_500_then_200_shows_as_delivered_with_both_attempts(web, runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    await endpoint(runtime, business.id, ["booking.created"])
    respx_mock.post(HOOK_URL).mock(side_effect=[httpx.Response(500), httpx.Response(200)])
    await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    clock.advance(minutes=1)
    await send_due(runtime, broker)
    await as_owner(web, runtime, business)
    page = await (await web.get("/admin/webhooks?status=delivered")).text()
    row = page[page.index('class="delivery"'):]
    row = row[:row.index("</tr>")]
    assert "booking.created" in row and "delivered" in row
    assert row.index("HTTP 500") < row.index("HTTP 200")  # both attempts, oldest first
    failed = await (await web.get("/admin/webhooks?status=failed")).text()
    assert 'class="delivery"' not in failed and "No deliveries." in failed


@respx.mock(assert_all_mocked=True)
async def test_owner_retries_a_failed_delivery_by_hand(web, runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    _, secret = await endpoint(runtime, business.id, ["booking.created"])
    route = respx_mock.post(HOOK_URL).mock(side_effect=[httpx.Response(410), httpx.Response(410), httpx.Response(200)])
    await book(runtime, studio, local(24, 7))
    await send_due(runtime, broker)
    clock.advance(hours=25)  # the receiver was down all day: the next failure is the last
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    token = await as_owner(web, runtime, business)
    assert "Retry" in await (await web.get("/admin/webhooks?status=failed")).text()
    response = await post(web, f"/admin/webhooks/deliveries/{delivery.id}/retry", token)
    assert response.status == 302
    await send_due(runtime, broker)  # the panel woke the sender; a worker runs it
    retried = await fresh(runtime, WebhookDelivery, delivery.id)
    assert (retried.status, retried.attempts, route.call_count) == ("delivered", 3, 3)
    received(route.calls.last.request, secret, runtime.clock.now())
    again = await post(web, f"/admin/webhooks/deliveries/{delivery.id}/retry", token)
    assert again.status == 302 and (await fresh(runtime, WebhookDelivery, delivery.id)).status == "delivered"


@respx.mock(assert_all_mocked=True)
async def test_owner_sends_a_test_event_rolls_the_secret_and_deactivates(web, runtime, business, broker, clock, respx_mock):
    set_clock(clock)
    endpoint_id, old_secret = await endpoint(runtime, business.id, ["payment.succeeded"])
    token = await as_owner(web, runtime, business)
    route = respx_mock.post(HOOK_URL).mock(return_value=httpx.Response(200))
    assert (await post(web, f"/admin/webhooks/{endpoint_id}/test", token)).status == 302
    await send_due(runtime, broker)
    assert received(route.calls.last.request, old_secret, NOW)["type"] == "webhook.test"
    response = await post(web, f"/admin/webhooks/{endpoint_id}/roll", token)
    new_secret = SECRET.search(await response.text()).group(0)  # type: ignore[union-attr]
    assert response.status == 200 and new_secret != old_secret
    await post(web, f"/admin/webhooks/{endpoint_id}/test", token)
    await send_due(runtime, broker)
    received(route.calls.last.request, new_secret, NOW)
    saved = await post(web, f"/admin/webhooks/{endpoint_id}", token, url="https://hooks.example.com/v2",
                       events="booking.moved")
    assert saved.status == 302
    assert (await post(web, f"/admin/webhooks/{endpoint_id}/active", token, active="0")).status == 302
    stored = await fresh(runtime, WebhookEndpoint, endpoint_id)
    assert (stored.url, stored.events, stored.active) == ("https://hooks.example.com/v2", ["booking.moved"], False)
    bad = await post(web, f"/admin/webhooks/{endpoint_id}", token, url="http://hooks.example.com/v3", events="booking.moved")
    assert bad.status == 400 and "Use an https:// address." in await bad.text()
    assert (await fresh(runtime, WebhookEndpoint, endpoint_id)).url == "https://hooks.example.com/v2"


async def test_another_business_endpoints_and_deliveries_are_404(web, runtime, business, clock):
    set_clock(clock)
    other = await other_business(runtime)
    theirs, _ = await endpoint(runtime, other.id, ["booking.created"])
    async with runtime.sessions.begin() as session:
        delivery = await deliveries.send_test(session, other.id, theirs, NOW)
    token = await as_owner(web, runtime, business)
    assert (await web.get(f"/admin/webhooks/{theirs}")).status == 404
    for path, fields in ((f"/admin/webhooks/{theirs}", {"url": HOOK_URL, "events": "booking.created"}),
                         (f"/admin/webhooks/{theirs}/active", {"active": "0"}), (f"/admin/webhooks/{theirs}/roll", {}),
                         (f"/admin/webhooks/{theirs}/test", {}), (f"/admin/webhooks/deliveries/{delivery.id}/retry", {})):
        assert (await post(web, path, token, **fields)).status == 404, path
    stored = await fresh(runtime, WebhookEndpoint, theirs)
    assert (stored.url, stored.active) == (HOOK_URL, True)
    assert len(await deliveries_of(runtime, other.id)) == 1
    assert HOOK_URL not in await (await web.get("/admin/webhooks")).text()


async def test_trainers_cannot_see_or_change_webhooks(web, runtime, business):
    token, _ = await as_trainer(web, runtime, business)
    assert (await web.get("/admin/webhooks")).status == 403
    assert (await post(web, "/admin/webhooks", token, url=HOOK_URL, events="booking.created")).status == 403
    assert 'href="/admin/webhooks"' not in await (await web.get("/admin/dashboard")).text()


async def test_deliveries_are_listed_fifty_a_page_newest_first_with_older_and_newer_links(web, runtime, business, clock):
    set_clock(clock)
    await endpoint(runtime, business.id, ["booking.created"])
    async with runtime.sessions.begin() as session:
        for n in range(120):
            await events.emit(session, business.id, "booking.created", {"n": n}, NOW + timedelta(seconds=n))
    ids = [d.id for d in await deliveries_of(runtime, business.id)]  # oldest first
    await as_owner(web, runtime, business)

    def listed(page: str) -> list[int]:
        return [int(n) for n in re.findall(r'data-delivery="(\d+)"', page)]

    first = await (await web.get("/admin/webhooks")).text()
    assert listed(first) == ids[::-1][:50] and "Page 1 of 3" in first
    assert 'href="/admin/webhooks?page=2#deliveries">Older →' in first and "Newer" not in first
    last = await (await web.get("/admin/webhooks?page=3")).text()
    assert listed(last) == ids[::-1][100:] and "Page 3 of 3" in last
    assert 'href="/admin/webhooks?page=2#deliveries">← Newer' in last and "Older →" not in last
    pending = await (await web.get("/admin/webhooks?status=pending&page=2")).text()
    assert listed(pending) == ids[::-1][50:100] and 'href="/admin/webhooks?status=pending&amp;page=3#deliveries"' in pending
    beyond = await (await web.get("/admin/webhooks?page=99")).text()
    assert listed(beyond) == listed(last)  # past the end: the last page
    assert "Deliveries are kept for 30 days." in first
