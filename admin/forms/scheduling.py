"""The calendar's and classes' forms: pydantic models, read into values or errors in words per field."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError, field_validator

from admin.forms.fields import FIRST_DAY, LAST_DAY, PanelDate, RowId
from admin.i18n import _
from domain.scheduling.availability import local_to_utc

Form = TypeVar("Form", bound=BaseModel)


def _words() -> dict[str, str]:
    """What each field's error says, in the request's language."""
    return {
        "client_id": _("Pick a client."),
        "service_id": _("Pick a service."),
        "staff_id": _("Pick a trainer."),
        "day": _("Give a date from %(first)s to %(last)s (for example 2026-11-24).", first=FIRST_DAY.year,
                 last=LAST_DAY.year),
        "at": _("Give the start time (for example 07:30)."),
        "capacity": _("Capacity is a whole number from 1 to 500 (or empty for the class's usual size)."),
        "who": _("Say who is cancelling."),
        "status": _("Pick completed or no-show."),
        "reason": _("Keep the reason under 200 characters."),
    }


class When(BaseModel):
    day: PanelDate
    at: time

    def starts_at(self, tz: str) -> datetime | None:
        """The UTC instant of the local date and time; None when clocks skip it (DST gap)."""
        return local_to_utc(self.day, self.at, ZoneInfo(tz))


def skipped_time() -> str:
    """Said when When.starts_at() finds no such instant."""
    return _("That time does not exist on that day (the clocks change). Pick another.")


class NewAppointment(When):
    client_id: RowId
    service_id: RowId
    staff_id: RowId


class NewClass(When):
    service_id: RowId
    staff_id: RowId
    capacity: int | None = Field(None, ge=1, le=500)

    @field_validator("capacity", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value in ("", None) else value


class NewSeat(BaseModel):
    client_id: RowId


class Cancel(BaseModel):
    who: Literal["client", "studio"]
    reason: str | None = Field(None, max_length=200)


class Mark(BaseModel):
    status: Literal["completed", "no_show"]


class CancelClass(BaseModel):
    reason: str | None = Field(None, max_length=200)


async def form_fields(request: web.Request) -> dict[str, str]:
    """The posted form's fields as plain strings."""
    return {k: str(v) for k, v in (await request.post()).items()}


def read(model: type[Form], data: Mapping[str, str]) -> tuple[Form | None, dict[str, str]]:
    """Validate the posted fields: the form, or the errors in words by field name."""
    fields = {k: (v.strip() or None) if k == "reason" else v for k, v in data.items() if k in model.model_fields}
    try:
        return model.model_validate(fields), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        said = _words()
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "form"
            errors.setdefault(name, said.get(name, str(error["msg"])))
        return None, errors
