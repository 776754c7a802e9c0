"""Failed deliveries: the owner sees what WhatsApp refused and sends it again where the rules allow."""
from __future__ import annotations

import respx
from sqlalchemy import select

from domain.models import Client, OutboundMessage
from tests.admin_support import csrf_of
from tests.booking_setup import make_studio
from tests.client_admin_setup import as_owner, as_trainer, hours, other_business_client, visible_text
from tests.support import drain
from tests.test_delivery import SEND_URL, ok


async def _failed(runtime, client_id: int, *, kind: str = "text", body: str = "Seu treino foi confirmado",  # type: ignore[no-untyped-def]
                  last_inbound_hours_ago: float = 1, status: str = "failed") -> int:
    now = runtime.clock.now()
    async with runtime.sessions.begin() as session:
        client = await session.get(Client, client_id)
        client.last_inbound_at = now - hours(last_inbound_hours_ago)
        payload = {"body": body} if kind == "text" else {"name": "aviso_aula", "language": "pt_BR", "parameters": []}
        row = OutboundMessage(business_id=client.business_id, client_id=client_id, kind=kind, body=body, payload=payload,
                              status=status, attempts=8, last_error="131026: Message undeliverable",
                              next_attempt_at=now, created_at=now - hours(1), updated_at=now, failed_at=now - hours(0.5))
        session.add(row)
        await session.flush()
        return row.id


async def _row(runtime, row_id: int) -> OutboundMessage:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        row = await session.get(OutboundMessage, row_id)
        assert row is not None
        return row


async def test_owner_sees_failed_deliveries_with_recipient_kind_error_and_time(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=2)
    await _failed(runtime, studio.clients[0])
    await _failed(runtime, studio.clients[1], status="sent", body="chegou bem")
    await as_owner(web, runtime, business.id)
    page = visible_text(await (await web.get("/admin/deliveries")).text())
    assert "Failed deliveries (1)" in page
    assert "Cliente 0 +5511900000000 text Seu treino foi confirmado 131026: Message undeliverable" in page
    assert "8 attempts" in page and "chegou bem" not in page


@respx.mock(assert_all_mocked=True)
async def test_retry_requeues_failed_delivery(web, runtime, business, broker, respx_mock) -> None:
    route = respx_mock.post(SEND_URL).mock(side_effect=ok)
    studio = await make_studio(runtime, business, clients=1)
    row_id = await _failed(runtime, studio.clients[0])
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": token})
    assert "Queued again" in await response.text()
    row = await _row(runtime, row_id)
    assert (row.status, row.attempts, row.failed_at) == ("queued", 0, None)
    await drain(broker, runtime)
    assert (await _row(runtime, row_id)).status == "sent" and route.call_count == 1
    assert "Nothing failed" in await (await web.get("/admin/deliveries")).text()


async def test_retry_of_free_text_outside_the_24_hour_window_is_refused(web, runtime, business, broker) -> None:
    studio = await make_studio(runtime, business, clients=1)
    row_id = await _failed(runtime, studio.clients[0], last_inbound_hours_ago=25)
    token = await as_owner(web, runtime, business.id)
    response = await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": token})
    assert "Not retried: more than 24 hours since the client's last message" in visible_text(await response.text())
    assert (await _row(runtime, row_id)).status == "failed"
    assert broker.queues["outbound"].qsize() == 0


async def test_a_template_can_be_retried_outside_the_window(web, runtime, business, broker) -> None:
    studio = await make_studio(runtime, business, clients=1)
    row_id = await _failed(runtime, studio.clients[0], kind="template", body="[template aviso_aula]", last_inbound_hours_ago=72)
    token = await as_owner(web, runtime, business.id)
    await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": token})
    assert (await _row(runtime, row_id)).status == "queued"
    assert broker.queues["outbound"].qsize() == 1


async def test_trainer_and_anonymous_cannot_see_or_retry_failed_deliveries(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    row_id = await _failed(runtime, studio.clients[0])
    anonymous = await web.get("/admin/deliveries", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"].startswith("/admin/login")
    assert (await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": await csrf_of(web)})).status == 403
    token = await as_trainer(web, runtime, business.id, studio.ana)
    assert (await web.get("/admin/deliveries")).status == 403
    assert (await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": token})).status == 403
    assert (await _row(runtime, row_id)).status == "failed"


async def test_another_business_row_or_a_row_that_did_not_fail_is_not_found(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    theirs = await _failed(runtime, await other_business_client(runtime))
    sent = await _failed(runtime, studio.clients[0], status="sent")
    token = await as_owner(web, runtime, business.id)
    assert "Outsider" not in await (await web.get("/admin/deliveries")).text()
    for row_id in (theirs, sent, 999999):
        assert (await web.post(f"/admin/deliveries/{row_id}/retry", data={"csrf_token": token})).status == 404
    assert (await _row(runtime, theirs)).status == "failed"
    assert (await _row(runtime, sent)).status == "sent"


async def test_failed_message_text_is_escaped(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    async with runtime.sessions.begin() as session:
        (await session.get(Client, studio.clients[0])).profile_name = "<script>alert('name')</script>"
    await _failed(runtime, studio.clients[0], body="<script>alert('body')</script>")
    await as_owner(web, runtime, business.id)
    html = await (await web.get("/admin/deliveries")).text()
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#39;body&#39;)" in html
    async with runtime.sessions() as session:
        assert (await session.execute(select(OutboundMessage.status))).scalar_one() == "failed"
