"""The Cloud API fixtures, mutated by hypothesis and posted signed to the real webhook: never a 5xx.

Types swapped, sizes blown up, odd code points (NUL among them), numbers as strings and past 64
bits, fields missing, extra and nested junk. Whatever arrives: a bad signature stores nothing, a
signed body gets 200 or 400, the webhook still takes the next good message, and the worker answers
every message stored.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import respx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from channels.signature import sign
from domain.models import Client, InboundMessage, MessageStatusEvent
from tests.conftest import GRAPH
from tests.support import APP_SECRET, PHONE_NUMBER_ID, drain, fixture, inbound, signed

WEBHOOKS = ["text", "text_with_bsuid", "text_br_without_ninth_digit", "two_messages_one_delivery", "interactive_button_reply",
            "interactive_list_reply", "template_quick_reply_button", "location", "image_with_caption", "audio_voice_note",
            "sticker", "reaction", "unsupported", "status_sent", "status_delivered", "status_read", "status_failed_outside_window"]
ODD_CHARACTERS = ["\x00", "\x01", "\x7f", "é", "ß", "\u00a0", "\u200b", "\u202e", "\ufeff", "\ufffd", "\uffff", "\U0001f600",
                  "\U0010ffff", "\\", '"', "'", "%s", "{}", "0", "9", "+", "-", " ", "\n"]
HUGE_NUMBERS = [2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, -(10**30), 10**300, 1e20, -1e12, 1e308, 0.1, -0.0]

texts = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.lists(st.sampled_from(ODD_CHARACTERS), max_size=40).map("".join),
    st.builds(lambda char, n: char * n, st.sampled_from(ODD_CHARACTERS + ["x", "5"]), st.integers(100, 20_000)),
)
numbers = st.one_of(st.integers(), st.sampled_from(HUGE_NUMBERS), st.floats(allow_nan=True, allow_infinity=True))
leaves = st.one_of(st.none(), st.booleans(), numbers, numbers.map(str), texts)
junk = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4), max_leaves=12)
SEND_URL = f"{GRAPH}/v23.0/{PHONE_NUMBER_ID}/messages"
SIGNATURES = ["good"] * 6 + ["other secret", "not ascii", "missing", "cut short", "no prefix"]


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON document, the root included."""
    found = [path]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in children:
        found += places(child, (*path, key))
    return found


def mutate(data: st.DataObject, body: Any) -> Any:
    """`body` with one random change at one random place."""
    path = data.draw(st.sampled_from(places(body)))
    if not path:
        return data.draw(junk)
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    key, value = path[-1], parent[path[-1]]
    change = data.draw(st.sampled_from(["taint"] * 4 + ["replace", "remove", "extra", "retype", "grow", "nest"]))
    if change == "taint":  # keeps the shape, so the body is more often stored than refused
        odd = data.draw(st.lists(st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=3).map("".join))
        at = data.draw(st.integers(0, len(value))) if isinstance(value, str) else 0
        parent[key] = (value[:at] + odd + value[at:] if isinstance(value, str) else
                       data.draw(st.sampled_from(HUGE_NUMBERS).flatmap(lambda n: st.sampled_from([n, str(n)]))))
    elif change == "replace":
        parent[key] = data.draw(junk)
    elif change == "remove":
        del parent[key]
    elif change == "extra" and isinstance(value, dict):
        value[data.draw(texts)] = data.draw(junk)
    elif change == "retype":  # numbers as strings, strings as numbers, anything as another JSON type
        parent[key] = str(value) if isinstance(value, int | float) else data.draw(numbers) if isinstance(value, str) else data.draw(leaves)
    elif change == "grow" and isinstance(value, str | list):
        parent[key] = value * data.draw(st.integers(2, 500))
    else:
        parent[key] = data.draw(st.sampled_from([[value], {"value": value}, [value, value]]))
    return body


def hostile_post(data: st.DataObject) -> tuple[bytes, dict[str, str], str]:
    name = data.draw(st.sampled_from(WEBHOOKS))
    body: Any = inbound(name) if not name.startswith("status") else copy.deepcopy(fixture(name))
    if name.startswith("status"):
        body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = PHONE_NUMBER_ID
    for _ in range(data.draw(st.integers(1, 4))):
        body = mutate(data, body)
    raw = json.dumps(body).encode()  # NaN and Infinity as JavaScript writes them, NUL as \u0000
    if data.draw(st.integers(0, 9)) == 0:  # now and then no JSON at all
        raw = raw[: data.draw(st.integers(0, len(raw)))] + data.draw(st.binary(max_size=20))
    headers = {"Content-Type": "application/json"}
    signature = data.draw(st.sampled_from(SIGNATURES))
    good = sign(raw, APP_SECRET)
    header = {"good": good, "other secret": sign(raw, "not-the-app-secret"), "not ascii": "sha256=" + "é" * 64,
              "missing": None, "cut short": good[:-1], "no prefix": good.removeprefix("sha256=")}[signature]
    if header is not None:
        headers["X-Hub-Signature-256"] = header
    return raw, headers, signature


async def stored(runtime) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    async with runtime.sessions() as session:
        return tuple([(await session.execute(select(func.count()).select_from(model))).scalar_one()  # type: ignore[return-value]
                      for model in (InboundMessage, MessageStatusEvent, Client)])


AFTER = iter(range(10**9))  # ids for the good message posted after each hostile one
SENT = iter(range(10**9))  # ids the Graph API gives the replies


# The fixtures are made once for all the examples: every check compares with what was stored just before.
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
async def test_hostile_webhooks_never_get_a_5xx_and_what_is_stored_is_answered(web, runtime, business, broker, data):
    raw, headers, signature = hostile_post(data)
    before = await stored(runtime)
    response = await web.post("/webhooks/whatsapp", data=raw, headers=headers)
    if signature == "good":
        assert response.status in (200, 400, 413), await response.text()  # 413: past the server's body size limit
    else:
        assert response.status in (401, 413)
        assert await stored(runtime) == before
    good, good_headers = signed(inbound("text", message_id=f"wamid.AFTER{next(AFTER)}", text="oi"))
    assert (await web.post("/webhooks/whatsapp", data=good, headers=good_headers)).status == 200
    with respx.mock(assert_all_mocked=True, assert_all_called=False) as graph:
        graph.post(SEND_URL).mock(side_effect=lambda _: httpx.Response(200, json={"messages": [{"id": f"wamid.R{next(SENT)}"}]}))
        await drain(broker, runtime)
    async with runtime.sessions() as session:
        unanswered = select(func.count()).select_from(InboundMessage).where(InboundMessage.processed_at.is_(None))
        assert (await session.execute(unanswered)).scalar_one() == 0
