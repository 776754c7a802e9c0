"""Webhooks never reach inside a private network: the host is looked up at each connection, every answer checked,
and the connection made to the checked address, so a name that moved to a private address since it was saved (or
that answers differently a moment later) gets no request. Real sockets and a real local HTTP server; DNS is a fake."""
from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpcore
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from domain.webhooks import endpoints
from gateways import webhook_post
from tests.booking_setup import NOW, local, make_studio
from tests.scheduled_setup import book
from tests.webhook_support import PUBLIC_IP, FakeDns, attempts_of, deliveries_of, send_due, set_clock


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that keeps the Host header of every request it gets."""

    port: int = 0
    hosts: list[str] = field(default_factory=list)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    got = Receiver()

    async def hook(request: web.Request) -> web.Response:
        got.hosts.append(request.headers["Host"])
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/in", hook)
    async with TestServer(app, host="127.0.0.1") as server:
        got.port = int(server.port or 0)
        yield got


@dataclass
class Connections:
    """A network backend that only notes where it was asked to connect, and fails (nothing leaves the machine)."""

    made: list[tuple[str, int]] = field(default_factory=list)

    async def connect_tcp(self, host: str, port: int, **_: object) -> httpcore.AsyncNetworkStream:
        self.made.append((host, port))
        raise httpcore.ConnectError("no network in this test")

    async def sleep(self, seconds: float) -> None:
        return None


async def post(http, url: str) -> webhook_post.Outcome:  # type: ignore[no-untyped-def]
    return await webhook_post.post(http, url, b"{}", secret="whsec_x", timestamp=0, event_type="webhook.test", delivery_id="1")


async def test_a_saved_name_that_now_resolves_to_loopback_gets_no_request(runtime, business, broker, clock, receiver):
    set_clock(clock)
    studio = await make_studio(runtime, business)
    url = f"http://hooks.example.com:{receiver.port}/in"
    async with runtime.sessions.begin() as session:  # saved while the name was public (plain http to reach the test server)
        await endpoints.create(session, business.id, url, ["booking.created"], NOW,
                               secret_key=runtime.settings.secret_key.get_secret_value(), allow_http=True)
    runtime.resolve = FakeDns({"hooks.example.com": ["127.0.0.1"]})  # its DNS now points at this machine
    await book(runtime, studio, local(24, 9), NOW)
    await send_due(runtime, broker)
    [delivery] = await deliveries_of(runtime, business.id)
    [attempt] = await attempts_of(runtime, delivery.id)
    assert receiver.hosts == []  # the server behind the private address never heard of it
    assert (delivery.status, attempt.status_code) == ("pending", None)  # a failed attempt: tried again later
    assert "hooks.example.com resolves to a non-public address (127.0.0.1): not sent" in (attempt.error or "")


async def test_the_connection_goes_to_the_address_checked_and_a_changed_answer_is_refused():
    rebinding = FakeDns({"hooks.example.com": [[PUBLIC_IP], ["10.0.0.7"]]})  # public when checked, private next time
    network = Connections()
    async with webhook_post.client(rebinding, endpoints.public_address, inner=network) as http:  # type: ignore[arg-type]
        first = await post(http, "https://hooks.example.com/in")
        assert network.made == [(PUBLIC_IP, 443)]  # the address that was checked, never the name looked up again
        second = await post(http, "https://hooks.example.com/in")
    assert network.made == [(PUBLIC_IP, 443)] and rebinding.asked == ["hooks.example.com", "hooks.example.com"]
    assert first.error == "ConnectError: no network in this test"
    assert second.error == "ConnectError: hooks.example.com resolves to a non-public address (10.0.0.7): not sent"


async def test_a_name_that_cannot_be_resolved_is_a_failed_attempt():
    async with webhook_post.client(FakeDns({}), endpoints.public_address, inner=Connections()) as http:  # type: ignore[arg-type]
        outcome = await post(http, "https://gone.example.com/in")
    assert outcome.status_code is None and (outcome.error or "").startswith("ConnectError: gone.example.com cannot be resolved")


async def test_the_demo_reaches_a_local_address_through_the_name_it_resolved(receiver):
    dns = FakeDns({"studio.demo.test": ["127.0.0.1"]})
    async with webhook_post.client(dns, None) as http:  # the demo's policy: any address
        outcome = await post(http, f"http://studio.demo.test:{receiver.port}/in")
    assert outcome.status_code == 204 and receiver.hosts == [f"studio.demo.test:{receiver.port}"]


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.216.34", True), ("2606:4700::1111", True), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("127.0.0.1", False), ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("224.0.0.1", False), ("::1", False), ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:10.0.0.1", False),
    ("2002:a00:1::1", False), ("not an address", False),
])
def test_only_addresses_on_the_public_internet_take_webhooks(address: str, public: bool) -> None:
    assert endpoints.public_address(address) is public
