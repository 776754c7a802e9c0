"""The OpenAPI 3.1 document covers every route, its examples are valid requests, and the docs page is self-contained."""
from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from api.operations import PREFIX, operations
from domain.clock import FixedClock
from tests.api_support import open_api
from tests.booking_setup import NOW


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def _document(web) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = await web.get(f"{PREFIX}/openapi.json")
    assert response.status == 200 and response.content_type == "application/json"
    return await response.json()


def _validator(doc: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    registry: Registry = Registry().with_resource("urn:fitzap-api", Resource.from_contents(
        {"$schema": "https://json-schema.org/draft/2020-12/schema", "components": doc["components"]}))
    ref = {k: (v.replace("#/", "urn:fitzap-api#/") if k == "$ref" else v) for k, v in schema.items()}
    return jsonschema.Draft202012Validator(ref, registry=registry, format_checker=jsonschema.FormatChecker())


async def test_every_api_route_is_in_the_document(web, runtime):
    doc = await _document(web)
    assert doc["openapi"].startswith("3.1")
    served = {(route.method, route.resource.canonical) for route in web.app.router.routes()
              if route.resource is not None and route.resource.canonical.startswith(PREFIX + "/")
              and route.method != "HEAD" and not route.resource.canonical.endswith("openapi.json")}
    documented = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert served == documented and len(served) == len(operations())


async def test_every_example_request_validates_against_its_schema(web, runtime):
    doc = await _document(web)
    checked = 0
    for path, item in doc["paths"].items():
        for op in item.values():
            for parameter in op["parameters"]:
                if "example" in parameter:
                    _validator(doc, parameter["schema"]).validate(parameter["example"])
                    checked += 1
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            if body is not None:
                assert "example" in body, f"{path} has no example body"
                _validator(doc, body["schema"]).validate(body["example"])
                checked += 1
            assert set(op["responses"]) >= {"400", "401", "429"}
    assert checked > 20


async def test_a_request_the_schema_refuses_is_refused_by_the_api(web, runtime, business):
    doc = await _document(web)
    schema = doc["paths"][f"{PREFIX}/bookings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    wrong = {"client_id": 1, "service_id": 1, "staff_id": 1}
    with pytest.raises(jsonschema.ValidationError):
        _validator(doc, schema).validate(wrong)
    setup = await open_api(web, runtime, business)
    assert (await setup.api.post("/bookings", wrong))[0] == 400


async def test_what_the_api_answers_beyond_each_route_is_in_the_document(web, runtime):
    """Found by fuzzing the document against the demo: a POST's Idempotency-Key answers 409 or 422, a body of the wrong
    type 415; ids stop at 64 bits; a body whose fields all have defaults may be left out, as the API allows."""
    doc = await _document(web)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method == "post":
                assert {"409", "422"} <= set(op["responses"]), path
                key = next(p for p in op["parameters"] if p["name"] == "Idempotency-Key")
                validator = _validator(doc, key["schema"])
                assert validator.is_valid("order-42") and not validator.is_valid(" padded ") and not validator.is_valid("")
            if "requestBody" in op:
                assert "415" in op["responses"], path
            for parameter in op["parameters"]:
                if parameter["in"] == "path":
                    assert parameter["schema"]["maximum"] == 2**63 - 1
    cancel = doc["paths"][f"{PREFIX}/bookings/{{booking_id}}/cancel"]["post"]["requestBody"]
    assert cancel["required"] is False
    assert doc["paths"][f"{PREFIX}/bookings"]["post"]["requestBody"]["required"] is True


async def test_an_id_past_64_bits_is_a_400_not_a_server_error(web, runtime, business):
    setup = await open_api(web, runtime, business)
    status, problem, _ = await setup.api.post("/purchases", {"client_id": 406786653081629303001579520, "product_id": 1})
    assert status == 400 and problem["errors"][0]["field"] == "client_id"
    status, problem, _ = await setup.api.get("/purchases", client_id=12354407008059430912)
    assert status == 400 and problem["errors"][0]["field"] == "client_id"


async def test_the_example_requests_are_accepted_by_the_api(web, runtime, business):
    """Each operation's example, sent as is with a write token, passes validation (its answer is not a 400)."""
    setup = await open_api(web, runtime, business)
    for op in operations():
        path = op.path.format(**{name: op.example_ids.get(name, 1) for name in op.path_params})
        if op.method == "GET":
            status, body, _ = await setup.api.get(path, **dict(op.example_query or {}))
        elif op.method == "PATCH":
            status, body, _ = await setup.api.patch(path, dict(op.example_body or {}))
        elif op.method == "DELETE":
            status, body, _ = await setup.api.delete(path)
        else:
            status, body, _ = await setup.api.post(path, dict(op.example_body or {}))
        assert status != 400, (op.operation_id, body)


async def test_the_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(web, runtime):
    response = await web.get("/api/docs")
    page = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    for op in operations():
        assert f'id="{op.operation_id}"' in page
        assert op.full_path in page
    assert "<script" not in page
    assert not re.findall(r'(?:src|href)="(?:https?:)?//', page)
    assert (await web.get("/api/docs.css")).status == 200
