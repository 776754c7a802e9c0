"""The API's request and response models: they validate requests and are the OpenAPI document's schemas."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT

Id = int  # ids are positive 64-bit integers
# Times in answers are UTC ("2026-11-24T10:00:00Z"), whatever offset they were given with.
Utc = Annotated[datetime, AfterValidator(lambda moment: moment.astimezone(UTC))]


class Request(BaseModel):
    """A request's query or body: unknown fields are refused (a typo is an error, not a silent default)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Listing(Request):
    cursor: str | None = Field(None, description="`next_cursor` of the previous page; omit for the first page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page.")


class DateRange(Listing):
    """`from` and `to` are days in the business's time zone, both included."""

    from_: date | None = Field(None, alias="from", description="First day (YYYY-MM-DD), in the business's time zone.")
    to: date | None = Field(None, description="Last day (YYYY-MM-DD), included.")

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.from_ and self.to and self.to < self.from_:
            raise ValueError("`to` is before `from`")
        return self


# --- clients -------------------------------------------------------------------------------------------------------

class ClientQuery(Listing):
    q: str | None = Field(None, max_length=120, description="Part of the name or the phone's digits.")


class ClientIn(Request):
    phone: str = Field(min_length=3, max_length=40, description="WhatsApp number, E.164 or as typed in the business's country.")
    name: str | None = Field(None, max_length=120)
    locale: Literal["pt-BR", "en"] = "pt-BR"


class ClientOut(BaseModel):
    id: Id
    name: str | None
    phone: str | None = Field(description="E.164")
    locale: str | None
    active: bool
    created_at: Utc


class ClientPage(BaseModel):
    data: list[ClientOut]
    next_cursor: str | None


# --- catalog -------------------------------------------------------------------------------------------------------

class ServiceOut(BaseModel):
    id: Id
    name: str
    kind: Literal["personal", "class"]
    duration_min: int
    capacity: int
    price_cents: int
    credits_required: int
    trainer_ids: list[Id]


class ServiceList(BaseModel):
    data: list[ServiceOut]


class TrainerOut(BaseModel):
    id: Id
    name: str
    active: bool


class TrainerList(BaseModel):
    data: list[TrainerOut]


class AvailabilityQuery(Request):
    service_id: Id = Field(ge=1)
    staff_id: Id | None = Field(None, ge=1, description="One trainer; omit for every trainer who offers the service.")
    from_: date = Field(alias="from", description="First day (YYYY-MM-DD), in the business's time zone.")
    to: date | None = Field(None, description="Last day, included; at most 31 days after `from` (default: `from`).")

    @model_validator(mode="after")
    def _window(self) -> AvailabilityQuery:
        if self.to is not None and not 0 <= (self.to - self.from_).days <= 30:
            raise ValueError("`to` must be `from` or up to 30 days after it")
        return self


class SlotOut(BaseModel):
    staff_id: Id
    starts_at: Utc
    ends_at: Utc


class SlotList(BaseModel):
    data: list[SlotOut]


# --- bookings ------------------------------------------------------------------------------------------------------

class BookingQuery(DateRange):
    client_id: Id | None = Field(None, ge=1)
    staff_id: Id | None = Field(None, ge=1)
    status: Literal["held", "booked", "confirmed", "checked_in", "completed", "no_show", "cancelled"] | None = None


class BookingIn(Request):
    client_id: Id = Field(ge=1)
    service_id: Id = Field(ge=1)
    staff_id: Id = Field(ge=1)
    starts_at: AwareDatetime = Field(description="With its offset, e.g. 2026-11-24T07:00:00-03:00.")
    notify_client: bool = Field(True, description="Tell the client in WhatsApp, as the panel does.")


class MoveIn(Request):
    starts_at: AwareDatetime
    notify_client: bool = True


class CancelIn(Request):
    by: Literal["client", "studio"] = Field(
        "studio", description="`client`: the client asked (the late-cancel policy decides the credit); `studio`: always refunded.")
    reason: str | None = Field(None, max_length=200)
    notify_client: bool = True


class BookingOut(BaseModel):
    id: Id
    client_id: Id
    service_id: Id
    staff_id: Id
    appointment_id: Id
    kind: Literal["personal", "class"]
    status: str
    starts_at: Utc
    ends_at: Utc
    paid_with: str
    cancelled_by: str | None
    late_cancel: bool
    created_at: Utc


class CancelOut(BaseModel):
    booking: BookingOut
    late: bool = Field(description="Inside the late-cancel window (a client's cancel then forfeits the credit).")
    refunded: bool


class BookingPage(BaseModel):
    data: list[BookingOut]
    next_cursor: str | None


# --- classes -------------------------------------------------------------------------------------------------------

class ClassQuery(DateRange):
    service_id: Id | None = Field(None, ge=1)


class ClassOut(BaseModel):
    id: Id = Field(description="The class session (appointment) id.")
    service_id: Id
    staff_id: Id
    starts_at: Utc
    ends_at: Utc
    capacity: int
    seats_taken: int
    status: str


class ClassPage(BaseModel):
    data: list[ClassOut]
    next_cursor: str | None


class SeatIn(Request):
    client_id: Id = Field(ge=1)
    notify_client: bool = True


# --- check-ins -----------------------------------------------------------------------------------------------------

class CheckInQuery(DateRange):
    client_id: Id | None = Field(None, ge=1)


class CheckInIn(Request):
    client_id: Id = Field(ge=1)


class CheckInOut(BaseModel):
    id: Id
    client_id: Id
    booking_id: Id | None
    method: str
    checked_in_at: Utc


class CheckInPage(BaseModel):
    data: list[CheckInOut]
    next_cursor: str | None


# --- credits and purchases -----------------------------------------------------------------------------------------

class CreditEntryOut(BaseModel):
    id: Id
    kind: str
    delta: int
    expires_at: Utc | None
    note: str | None
    booking_id: Id | None
    created_at: Utc


class CreditsOut(BaseModel):
    client_id: Id
    balance: int
    entries: list[CreditEntryOut]


class CreditPackIn(Request):
    credits: int = Field(ge=1, le=1000)
    expires_at: AwareDatetime | None = None
    note: str | None = Field(None, max_length=200)


class PurchaseQuery(DateRange):
    client_id: Id | None = Field(None, ge=1)


class PurchaseOut(BaseModel):
    id: Id
    client_id: Id
    product_id: Id | None
    status: str
    amount_cents: int
    currency: str
    created_at: Utc
    paid_at: Utc | None


class PurchasePage(BaseModel):
    data: list[PurchaseOut]
    next_cursor: str | None


# --- training ------------------------------------------------------------------------------------------------------

class ProgramOut(BaseModel):
    id: Id
    name: str
    client_id: Id | None
    created_at: Utc


class ProgramPage(BaseModel):
    data: list[ProgramOut]
    next_cursor: str | None


class WorkoutLogQuery(DateRange):
    client_id: Id | None = Field(None, ge=1)


class WorkoutLogOut(BaseModel):
    id: Id
    client_id: Id
    exercise_key: str
    sets: int | None
    reps: int | None
    load_kg: float | None
    distance_m: float | None
    duration_s: int | None
    text: str | None
    logged_at: Utc


class WorkoutLogPage(BaseModel):
    data: list[WorkoutLogOut]
    next_cursor: str | None


class ProblemOut(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[dict[str, str | None]] | None = None
