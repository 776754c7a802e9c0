"""Cursor pagination: an opaque cursor is the last row's sort key and id, base64url-encoded JSON."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson

from api.problems import Problem

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def encode(*values: Any) -> str:
    """The cursor after a row whose sort key is `values` (datetimes as ISO text)."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(orjson.dumps(plain)).decode().rstrip("=")


def decode(cursor: str, kinds: tuple[type, ...]) -> tuple[Any, ...]:
    """The sort key a cursor carries, each value of the kind given; 400 for a cursor this API did not make."""
    try:
        values = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError("wrong shape")
        out: list[Any] = []
        for value, kind in zip(values, kinds):
            if kind is datetime:
                parsed = datetime.fromisoformat(value)
                if parsed.tzinfo is None:
                    raise ValueError("naive time")
                out.append(parsed)
            elif kind is int and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
                out.append(value)
            else:
                raise ValueError("wrong kind")
        return tuple(out)
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError):
        raise Problem(400, "invalid_request", "The cursor is not one this API gave.",
                      errors=[{"in": "query", "field": "cursor", "detail": "not a cursor from a previous page",
                               "type": "cursor"}]) from None
