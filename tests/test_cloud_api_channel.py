"""The Cloud API and sandbox channels: request shapes, limits, error classification."""
from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from channels.base import OutboundEnvelope, PermanentSendError, TransientSendError
from channels.cloud_api import CloudApiChannel, build_request, classify
from channels.graph_transport import HttpxGraph
from channels.sandbox import SandboxChannel
from conversations.replies import Button, Buttons, ListMessage, Row, Template, Text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whatsapp"
TOKEN = "EAAG-secret-token"
PHONE_ID = "106540352242922"
URL = f"https://graph.example.test/v21.0/{PHONE_ID}/messages"
WAMID = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQyQkFDRjU2NTg5M0Q5NjhFNwA="


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def envelope(kind: str, payload: dict[str, Any]) -> OutboundEnvelope:
    return OutboundEnvelope(phone_number_id=PHONE_ID, to="5511987654321", kind=kind, payload=payload)


def sent_json(route: respx.Route) -> dict[str, Any]:
    return json.loads(route.calls.last.request.content)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as mock:
        yield mock


@pytest.fixture
async def channel() -> AsyncIterator[CloudApiChannel]:
    ch = CloudApiChannel(token=TOKEN, api_version="v21.0", base_url="https://graph.example.test/")
    yield ch
    await ch.aclose()


def ok(api: respx.MockRouter) -> respx.Route:
    return api.post(URL).mock(return_value=httpx.Response(200, json=fixture("send_response_ok")))


async def test_text_is_sent_with_bearer_token_and_returns_wamid(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    assert await channel.send(envelope("text", Text("Olá! Sua aula é amanhã.").payload())) == WAMID
    request = route.calls.last.request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent_json(route) == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5511987654321",
        "type": "text",
        "text": {"preview_url": False, "body": "Olá! Sua aula é amanhã."},
    }


async def test_buttons_become_interactive_reply_buttons(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    reply = Buttons("Confirma?", (Button("yes", "Sim"), Button("no", "Não")))
    await channel.send(envelope("buttons", reply.payload()))
    assert sent_json(route)["interactive"] == {
        "type": "button",
        "body": {"text": "Confirma?"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "yes", "title": "Sim"}},
                               {"type": "reply", "reply": {"id": "no", "title": "Não"}}]},
    }


async def test_list_becomes_interactive_list(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    reply = ListMessage("Escolha um horário", "Horários", (Row("s1", "Seg 07:00", "Funcional"), Row("s2", "Ter 18:00")), "Esta semana")
    await channel.send(envelope("list", reply.payload()))
    body = sent_json(route)
    assert body["type"] == "interactive"
    assert body["interactive"] == {
        "type": "list",
        "body": {"text": "Escolha um horário"},
        "action": {
            "button": "Horários",
            "sections": [{"title": "Esta semana", "rows": [{"id": "s1", "title": "Seg 07:00", "description": "Funcional"},
                                                           {"id": "s2", "title": "Ter 18:00"}]}],
        },
    }


async def test_template_payload(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    await channel.send(envelope("template", Template("class_reminder", "pt_BR", ("Ana", "07:00")).payload()))
    assert sent_json(route)["type"] == "template"
    assert sent_json(route)["template"] == {
        "name": "class_reminder",
        "language": {"code": "pt_BR"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "07:00"}]}],
    }


def test_template_without_parameters_has_no_components() -> None:
    body = build_request(envelope("template", Template("hello_world", "en_US").payload()))
    assert body["template"] == {"name": "hello_world", "language": {"code": "en_US"}}


async def test_mark_as_read_payload(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = api.post(URL).mock(return_value=httpx.Response(200, json={"success": True}))
    assert await channel.send(envelope("read", {"message_id": "wamid.IN"})) is None
    assert sent_json(route) == {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN"}


@pytest.mark.parametrize(
    ("fixture_name", "error_type", "code"),
    [
        ("send_error_invalid_recipient", PermanentSendError, 131026),
        ("send_error_outside_window", PermanentSendError, 131047),
        ("send_error_throughput", TransientSendError, 130429),
        ("send_error_pair_rate_limit", TransientSendError, 131056),
    ],
)
async def test_fixture_errors_are_classified(
    api: respx.MockRouter, channel: CloudApiChannel, fixture_name: str, error_type: type, code: int
) -> None:
    api.post(URL).mock(return_value=httpx.Response(400, json=fixture(fixture_name)))
    with pytest.raises(error_type) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.code == code
    assert type(raised.value) is error_type


async def test_invalid_recipient_is_permanent(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    api.post(URL).mock(return_value=httpx.Response(400, json=fixture("send_error_invalid_recipient")))
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.describe().startswith("131026: HTTP 400: (#131026) Message Undeliverable")


async def test_throughput_limit_is_transient(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    api.post(URL).mock(return_value=httpx.Response(400, json=fixture("send_error_throughput")))
    with pytest.raises(TransientSendError) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.code == 130429
    assert raised.value.retry_after_s is None


async def test_server_error_is_transient(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    api.post(URL).mock(return_value=httpx.Response(502, text="<html>Bad Gateway</html>"))
    with pytest.raises(TransientSendError) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.code is None


async def test_retry_after_header_is_honoured(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    api.post(URL).mock(return_value=httpx.Response(429, headers={"Retry-After": "17"},
                                                   json={"error": {"code": 80007, "message": "Rate limit"}}))
    with pytest.raises(TransientSendError) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.retry_after_s == 17.0


@pytest.mark.parametrize("exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")])
async def test_network_error_is_transient(api: respx.MockRouter, channel: CloudApiChannel, exc: Exception) -> None:
    api.post(URL).mock(side_effect=exc)
    with pytest.raises(TransientSendError) as raised:
        await channel.send(envelope("text", {"body": "oi"}))
    assert raised.value.code is None


@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (400, 131050, False),  # user stopped marketing: never retry
        (400, 131051, False),
        (400, 100, False),
        (401, 190, False),
        (400, 132000, False),
        (400, 132001, False),
        (400, 131000, True),
        (400, 133004, True),
        (400, 4, True),
        (429, None, True),
        (503, None, True),
        (404, None, False),
    ],
)
def test_classify_sorts_codes_into_transient_and_permanent(status: int, code: int | None, transient: bool) -> None:
    body = {"error": {"code": code, "message": "x"}} if code is not None else None
    error = classify(status, body, None)
    assert isinstance(error, TransientSendError if transient else PermanentSendError)
    assert error.code == code


def test_marketing_per_user_limit_waits_a_day() -> None:
    error = classify(400, {"error": {"code": 131049, "message": "per-user marketing limit"}}, "60")
    assert isinstance(error, TransientSendError)
    assert error.retry_after_s == 24 * 3600


async def test_ok_answer_without_message_id_is_permanent(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    api.post(URL).mock(return_value=httpx.Response(200, json={"messaging_product": "whatsapp"}))
    with pytest.raises(PermanentSendError):
        await channel.send(envelope("text", {"body": "oi"}))


async def test_token_is_never_logged(api: respx.MockRouter, channel: CloudApiChannel, caplog: pytest.LogCaptureFixture) -> None:
    api.post(URL).mock(return_value=httpx.Response(400, json=fixture("send_error_invalid_recipient")))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(PermanentSendError):
        await channel.send(envelope("text", {"body": "oi"}))
    assert caplog.records and TOKEN not in caplog.text
    assert TOKEN not in repr(channel)


async def test_four_buttons_are_refused_before_any_call(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    payload = {"body": "Escolha", "buttons": [{"id": f"b{i}", "title": f"Opção {i}"} for i in range(4)]}
    with pytest.raises(PermanentSendError) as raised:
        await channel.send(envelope("buttons", payload))
    assert raised.value.code is None
    assert not route.called


async def test_list_row_title_over_24_chars_is_refused(api: respx.MockRouter, channel: CloudApiChannel) -> None:
    route = ok(api)
    payload = {"body": "Escolha", "button": "Ver", "sections": [{"rows": [{"id": "r1", "title": "x" * 25}]}]}
    with pytest.raises(PermanentSendError, match="row title"):
        await channel.send(envelope("list", payload))
    assert not route.called


def _rows(n: int, **extra: str) -> list[dict[str, str]]:
    return [{"id": f"r{i}", "title": f"Row {i}", **extra} for i in range(n)]


@pytest.mark.parametrize(
    ("kind", "payload"),
    [
        ("text", {"body": "x" * 4097}),
        ("text", {"body": ""}),
        ("buttons", {"body": "b", "buttons": [{"id": "a", "title": "x" * 21}]}),
        ("buttons", {"body": "b", "buttons": [{"id": "x" * 257, "title": "ok"}]}),
        ("buttons", {"body": "b", "buttons": [{"id": "a", "title": "one"}, {"id": "a", "title": "two"}]}),
        ("buttons", {"body": "b", "buttons": []}),
        ("list", {"body": "b", "button": "Ver", "sections": [{"title": "A", "rows": _rows(6)}, {"title": "B", "rows": _rows(5)}]}),
        ("list", {"body": "b", "button": "Ver", "sections": [{"rows": _rows(1, description="d" * 73)}]}),
        ("list", {"body": "b", "button": "Ver", "sections": [{"rows": [{"id": "x" * 201, "title": "t"}]}]}),
        ("list", {"body": "b", "button": "x" * 21, "sections": [{"rows": _rows(1)}]}),
        ("template", {"name": "t", "language": "pt_BR", "parameters": [""]}),
        ("template", {"language": "pt_BR"}),
        ("read", {}),
        ("audio", {"body": "?"}),
    ],
)
async def test_payloads_breaking_whatsapp_limits_are_refused_by_both_channels(
    api: respx.MockRouter, channel: CloudApiChannel, kind: str, payload: dict[str, Any]
) -> None:
    route = ok(api)
    with pytest.raises(PermanentSendError):
        await channel.send(envelope(kind, payload))
    with pytest.raises(PermanentSendError):
        await SandboxChannel().send(envelope(kind, payload))
    assert not route.called


def test_ten_rows_across_sections_are_accepted() -> None:
    sections = [{"title": "A", "rows": _rows(5)}, {"title": "B", "rows": [{"id": f"b{i}", "title": "t"} for i in range(5)]}]
    body = build_request(envelope("list", {"body": "b", "button": "Ver", "sections": sections}))
    assert len(body["interactive"]["action"]["sections"]) == 2


async def test_sandbox_sends_nothing_and_returns_sandbox_ids(api: respx.MockRouter) -> None:
    sandbox = SandboxChannel()
    first = await sandbox.send(envelope("text", {"body": "oi"}))
    second = await sandbox.send(envelope("text", {"body": "oi"}))
    assert first and first.startswith("sandbox.") and first != second
    assert await sandbox.send(envelope("read", {"message_id": "wamid.IN"})) is None
    assert not api.calls
    await sandbox.aclose()


class ClosingTransport(httpx.AsyncBaseTransport):
    closed = False

    async def aclose(self) -> None:
        self.closed = True


async def test_aclose_closes_the_channels_connections() -> None:
    transport = ClosingTransport()
    await CloudApiChannel(token=TOKEN, api_version="v21.0", http=HttpxGraph(4, 1.0, transport)).aclose()
    assert transport.closed
