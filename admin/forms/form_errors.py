"""Turning a posted form into a pydantic model, or into one plain-words error per field."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from admin.i18n import _

Form = TypeVar("Form", bound=BaseModel)


def words(error: Mapping[str, Any]) -> str:
    """Pydantic's error as a trainer would say it."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "string_too_short" and (ctx.get("min_length") or 1) > 1:
        return _("Use at least %(count)s characters.", count=ctx["min_length"])
    if kind in ("missing", "string_too_short"):
        return _("This is required.")
    if kind == "too_short":
        return _("Choose at least one.")
    if kind == "string_too_long":
        return _("Use at most %(count)s characters.", count=ctx.get("max_length"))
    if kind in ("greater_than_equal", "greater_than"):
        return _("Must be at least %(minimum)s.", minimum=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return _("Must be at most %(maximum)s.", maximum=ctx.get("le", ctx.get("lt")))
    if kind in ("int_parsing", "int_from_float"):
        return _("Must be a whole number.")
    if kind == "float_parsing":
        return _("Must be a number.")
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact", "date_type",
                "datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return _("Give a valid date.")
    if kind in ("time_parsing", "time_type"):
        return _("Give a valid time.")
    if kind == "literal_error":
        return _("Choose one of %(choices)s.", choices=ctx.get("expected"))
    if kind == "value_error":
        return str(ctx.get("error") or error["msg"])
    return str(error["msg"])


def validate(model: type[Form], data: Mapping[str, Any]) -> tuple[Form | None, dict[str, str]]:
    """The model, or None and {field: message}; blank inputs count as not given."""
    values = {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, field_errors(exc, whole="__all__")


def field_errors(exc: ValidationError, whole: str = "form") -> dict[str, str]:
    """The first error of each field in words; an error of the whole form under `whole`."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        errors.setdefault(str(error["loc"][0]) if error["loc"] else whole, words(error))
    return errors
