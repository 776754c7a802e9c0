"""The training forms: programs, their days and exercises, meal plans and meals, custom exercises, assigning."""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from admin.forms.fields import PanelDate, RowId
from admin.i18n import _
from domain.training import exercise_edits, meal_plan_edits, program_edits
from domain.training.library import EQUIPMENT, KINDS
from domain.training.program_edits import Prescription

_CLOCK = re.compile(r"(?:(\d{1,2}):)?(\d{1,3}):(\d{2})", re.ASCII)
_NUMBER = re.compile(r"[+-]?\d{1,6}(?:[.,]\d{1,3})?", re.ASCII)


def decimal(text: str) -> float:
    """ "2.5" or "2,5" as a number; ValueError in words otherwise."""
    if not _NUMBER.fullmatch(text.strip()):
        raise ValueError(_("Write a number, e.g. 2.5 or 2,5."))
    value = float(text.strip().replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(_("Write a number, e.g. 2.5 or 2,5."))
    return value


def seconds(text: str) -> int:
    """ "90", "1:30" or "1:00:00" as seconds; ValueError in words otherwise."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return int(text)
    found = _CLOCK.fullmatch(text)
    if found is None or int(found[3]) > 59 or (found[1] is not None and int(found[2]) > 59):
        raise ValueError(_("Write seconds (90) or minutes:seconds (1:30)."))
    return int(found[1] or 0) * 3600 + int(found[2]) * 60 + int(found[3])


def _optional(parse: Callable[[str], object]) -> BeforeValidator:
    return BeforeValidator(lambda value: parse(value) if isinstance(value, str) else value)


OptionalDecimal = Annotated[float | None, _optional(decimal)]
OptionalSeconds = Annotated[int | None, _optional(seconds)]


class ProgramForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=program_edits.NAME_MAX)
    weeks: int = Field(ge=1, le=program_edits.MAX_WEEKS)
    notes: str | None = Field(None, max_length=program_edits.NOTES_MAX)


class DayForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    week: int = Field(ge=1, le=program_edits.MAX_WEEKS)
    weekday: int = Field(ge=0, le=6)
    title: str | None = Field(None, max_length=program_edits.DAY_TITLE_MAX)


class ItemForm(BaseModel):
    """One prescribed exercise: sets of an amount (reps, a time or a distance), a load and its unit, rest, superset."""

    model_config = ConfigDict(str_strip_whitespace=True)

    exercise_key: str = Field(min_length=1, max_length=80)
    sets: int | None = Field(None, ge=1, le=program_edits.MAX_SETS)
    amount_unit: Literal["reps", "seconds", "metres"] = "reps"
    amount: str | None = Field(None, max_length=12)
    load_unit: Literal["kg", "pct_1rm", "rpe"] = "kg"
    load: OptionalDecimal = None
    rest_s: OptionalSeconds = Field(None, ge=0, le=program_edits.MAX_REST_S)
    superset: str | None = Field(None, max_length=program_edits.SUPERSET_MAX)
    progression_kg: OptionalDecimal = Field(None, ge=-program_edits.MAX_PROGRESSION_KG, le=program_edits.MAX_PROGRESSION_KG)
    notes: str | None = Field(None, max_length=program_edits.ITEM_NOTES_MAX)

    @field_validator("amount")
    @classmethod
    def _amount_in_its_unit(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if info.data.get("amount_unit") == "seconds":
            seconds(value)
        elif not (value.isascii() and value.isdigit()):
            raise ValueError(_("Write a whole number."))
        return value

    @field_validator("load")
    @classmethod
    def _load_in_its_unit(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and info.data.get("load_unit") == "pct_1rm" and value != int(value):
            raise ValueError(_("Write a whole percent, e.g. 75."))
        return value

    def prescription(self) -> Prescription:
        amount = None if self.amount is None else seconds(self.amount) if self.amount_unit == "seconds" else int(self.amount)
        load = self.load
        return Prescription(
            exercise_key=self.exercise_key, sets=self.sets,
            reps=amount if self.amount_unit == "reps" else None,
            duration_s=amount if self.amount_unit == "seconds" else None,
            distance_m=amount if self.amount_unit == "metres" else None,
            load_kg=load if self.load_unit == "kg" else None,
            load_pct_1rm=int(load) if load is not None and self.load_unit == "pct_1rm" else None,
            rpe=load if self.load_unit == "rpe" else None,
            rest_s=self.rest_s, superset=self.superset, progression_kg=self.progression_kg, notes=self.notes)


class NewItemForm(ItemForm):
    day_id: RowId


class MoveForm(BaseModel):
    direction: Literal["up", "down"]

    @property
    def step(self) -> int:
        return -1 if self.direction == "up" else 1


class CopyForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(None, max_length=program_edits.NAME_MAX)


class AssignForm(BaseModel):
    client_id: RowId
    starts_on: PanelDate


class MealPlanForm(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=program_edits.NAME_MAX)
    notes: str | None = Field(None, max_length=program_edits.NOTES_MAX)


class MealForm(BaseModel):
    """A meal; no weekday means every day."""

    model_config = ConfigDict(str_strip_whitespace=True)

    weekday: int | None = Field(None, ge=0, le=6)
    name: str = Field(min_length=1, max_length=meal_plan_edits.MEAL_NAME_MAX)
    at_time: str | None = Field(None, max_length=5)
    items: str = Field(min_length=1, max_length=meal_plan_edits.ITEMS_MAX)
    notes: str | None = Field(None, max_length=meal_plan_edits.MEAL_NOTES_MAX)

    def fields(self) -> dict[str, object]:
        """What domain.training.meal_plan_edits takes."""
        return {"weekday": self.weekday, "name": self.name, "at_time": self.at_time, "items": self.items, "notes": self.notes}


class ExerciseForm(BaseModel):
    """A trainer's own exercise; the domain checks the names, muscles and video link in words."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name_pt: str = Field("", max_length=exercise_edits.NAME_MAX)
    name_en: str = Field("", max_length=exercise_edits.NAME_MAX)
    aliases: str = Field("", max_length=1500)
    muscles: list[str] = Field(min_length=1, max_length=20)
    equipment: Literal[EQUIPMENT] = "other"  # type: ignore[valid-type]
    kind: Literal[KINDS] = "strength"  # type: ignore[valid-type]
    video_url: str | None = Field(None, max_length=exercise_edits.URL_MAX)

    @field_validator("muscles", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value

    def fields(self) -> exercise_edits.ExerciseFields:
        return exercise_edits.ExerciseFields(name_pt=self.name_pt, name_en=self.name_en, aliases=self.aliases,
                                             muscles=tuple(self.muscles), equipment=self.equipment, kind=self.kind,
                                             video_url=self.video_url)
