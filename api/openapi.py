"""The OpenAPI 3.1 document, built from the route table and the very pydantic models that validate requests."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from api.gate import MAX_KEY_CHARS
from api.operations import Operation
from api.problems import PROBLEM_JSON, TITLES
from api.schemas import ProblemOut
from domain.sql.types import MAX_BIG_ID

REF = "#/components/schemas/{model}"
ALWAYS = (400, 401, 429)  # any operation may answer these; writes also 403
IDEMPOTENT = (409, 422)  # a POST's Idempotency-Key still being answered, or used before with another body
# A header value aiohttp keeps whole: printable ASCII, no space at either end.
IDEMPOTENCY_KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
VERSION = "1.0.0"


def document(ops: Sequence[Operation]) -> dict[str, Any]:
    """OpenAPI 3.1 for `ops`: paths, parameters, bodies and answers, with every schema under components."""
    models: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ProblemOut, "serialization")]
    for op in ops:
        if op.response is not None:
            models.append((op.response, "serialization"))
        if op.body:
            models.append((op.body, "validation"))
    refs, defs = models_json_schema(list(dict.fromkeys(models)), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for op in ops:
        paths.setdefault(op.full_path, {})[op.method.lower()] = _operation(op, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": "FitZap API", "version": VERSION,
                 "description": "A studio's clients, services, trainers, availability, bookings, classes and their "
                                "waitlists, check-ins, credits, purchases, training and leads, for its own integrations. "
                                "Authenticate with `Authorization: Bearer <token>` (tokens are made in the panel, under "
                                "API). Errors are RFC 9457 problem details."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearer": []}],
    }


def _operation(op: Operation, refs: dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]) -> dict[str, Any]:
    problem = {PROBLEM_JSON: {"schema": refs[(ProblemOut, "serialization")]}}
    statuses = sorted({*ALWAYS, *op.errors, *((403,) if op.scope == "write" else ()),
                       *(IDEMPOTENT if op.method == "POST" else ()), *((415,) if op.body else ())})
    answer: dict[str, Any] = {"description": {200: "OK", 201: "Created", 204: "No Content"}[op.status]}
    if op.response is not None:
        answer["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    responses: dict[str, Any] = {str(op.status): answer}
    responses.update({str(s): {"description": TITLES[s], "content": problem} for s in statuses})
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer", "minimum": 1, "maximum": MAX_BIG_ID},
                   "example": op.example_ids.get(name, 1)} for name in op.path_params]
    if op.query is not None:
        schema = op.query.model_json_schema(ref_template=REF)
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                         "schema": {k: v for k, v in prop.items() if k != "description"}}
            if "description" in prop:
                parameter["description"] = prop["description"]
            if op.example_query and name in op.example_query:
                parameter["example"] = op.example_query[name]
            parameters.append(parameter)
    out: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary, "tags": [op.tag],
                           "x-scope": op.scope, "parameters": parameters, "responses": responses}
    if op.body is not None:
        body: dict[str, Any] = {"schema": refs[(op.body, "validation")]}
        if op.example_body is not None:
            body["example"] = dict(op.example_body)
        # A body whose fields all have defaults may be left out (a cancel with no reason): `{}` is assumed.
        required = bool(op.body.model_json_schema().get("required"))
        out["requestBody"] = {"required": required, "content": {"application/json": body}}
    if op.method == "POST":
        out["parameters"].append({"name": "Idempotency-Key", "in": "header", "required": False,
                                  "description": "Retries with the same key and body get the first answer again.",
                                  "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_CHARS,
                                             "pattern": IDEMPOTENCY_KEY_PATTERN}})
    return out


def handler(doc: dict[str, Any]) -> Handler:
    body = orjson.dumps(doc)

    async def openapi_json(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    return openapi_json

