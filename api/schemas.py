"""The API's request and response models: they validate requests and are the OpenAPI document's schemas."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal
from zoneinfo import available_timezones

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from domain.sql.types import MAX_BIG_ID

# Ids are positive 64-bit integers: a larger one (a fuzzer's 4e26) is a 400, not PostgreSQL's overflow.
Id = Annotated[int, Field(ge=1, le=MAX_BIG_ID)]
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


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class ClientPatch(Request):
    """Only the fields sent change; `null` clears a name, an email or a time zone (the business's zone then)."""

    # Left out, phone and language stay; unlike the others they cannot be cleared, so null is not theirs (the default
    # stands for "not sent" and is never validated).
    phone: str = Field(None, min_length=3, max_length=40, description="WhatsApp number; unused in the business.")
    name: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254, description="Where confirmations go when WhatsApp cannot reach them.")
    locale: Literal["pt-BR", "en"] = Field(None)
    timezone: str | None = Field(None, max_length=64, description="IANA zone, e.g. America/Manaus; null: the business's.")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        value = (value or "").strip().lower()
        if value and not _EMAIL.fullmatch(value):
            raise ValueError("not an email address")
        return value or None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value and value not in available_timezones():
            raise ValueError("not an IANA time zone")
        return value or None


class ClientOut(BaseModel):
    id: Id
    name: str | None
    phone: str | None = Field(description="E.164")
    email: str | None
    locale: str | None
    timezone: str | None = Field(description="The client's own zone; null: the business's.")
    marketing_consent: bool | None = Field(description="What the client answered in chat to news and offers (null: not asked).")
    active: bool = Field(description="False once deactivated (DELETE) or erased; the history stays.")
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


class SeatOut(BaseModel):
    booking_id: Id
    client_id: Id
    status: str


class WaitlistEntryOut(BaseModel):
    id: Id
    client_id: Id
    status: Literal["waiting", "offered"] = Field(description="`offered`: a freed seat is held for the client until `offer_expires_at`.")
    position: int | None = Field(description="Place in the queue (1 is next); null while a seat is offered.")
    offer_expires_at: Utc | None
    created_at: Utc


class WaitlistList(BaseModel):
    data: list[WaitlistEntryOut] = Field(description="In queue order.")


class ClassDetailOut(ClassOut):
    seats: list[SeatOut] = Field(description="Every booking of the class but cancelled ones, in booking order.")
    waitlist: list[WaitlistEntryOut] = Field(description="In queue order.")


class WaitlistIn(Request):
    client_id: Id = Field(ge=1)


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


class PurchaseIn(Request):
    client_id: Id = Field(ge=1)
    product_id: Id = Field(ge=1)
    paid_with: Literal["link", "cash", "pix_manual", "card_terminal", "other"] = Field(
        "link", description="`link`: a pending purchase and the chat's payment link (online payments must be on); "
                            "anything else: the studio was paid at the desk, and the purchase gives its credits or plan now.")
    note: str | None = Field(None, max_length=200, description="Kept with a payment recorded at the desk.")
    notify_client: bool = Field(False, description="With `link`: send the link to the client, in WhatsApp as the chat "
                                                   "does when they wrote in the last 24 hours, else (no approved template "
                                                   "carries a link) to their email if they gave one; `link_sent_to` in "
                                                   "the answer says where it went.")

    @model_validator(mode="after")
    def _note_with_desk_payment(self) -> PurchaseIn:
        if self.note is not None and self.paid_with == "link":
            raise ValueError("`note` is for a payment recorded at the desk, not a payment link")
        if self.notify_client and self.paid_with != "link":
            raise ValueError("`notify_client` sends a payment link; a payment recorded at the desk has none")
        return self


class PurchaseOut(BaseModel):
    id: Id
    client_id: Id
    product_id: Id | None
    status: str
    method: str | None = Field(description="card | pix online; cash | pix_manual | card_terminal | other at the desk.")
    amount_cents: int
    currency: str
    payment_url: str | None = Field(description="The payment link, while the purchase is unpaid and online payments are on.")
    created_at: Utc
    paid_at: Utc | None
    link_sent_to: Literal["whatsapp", "email"] | None = Field(
        None, description="Where this request sent the payment link to the client; null: it was not sent.")


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


class ProgramExerciseOut(BaseModel):
    id: Id
    exercise_key: str
    exercise_name: str | None = Field(description="In the business's language; null when no longer in its library.")
    sets: int | None
    reps: int | None
    duration_s: int | None
    distance_m: int | None
    load_kg: float | None
    load_pct_1rm: int | None
    rpe: float | None
    rest_s: int | None
    superset: str | None = Field(description="Exercises sharing a label are done back to back.")
    progression_kg: float | None = Field(description="Added to the load when every prescribed rep was logged last time.")
    notes: str | None


class ProgramDayOut(BaseModel):
    id: Id
    weekday: int = Field(ge=0, le=6, description="0 is Monday.")
    title: str | None
    exercises: list[ProgramExerciseOut]


class ProgramWeekOut(BaseModel):
    week: int
    days: list[ProgramDayOut] = Field(description="Training days by weekday; a weekday not listed is rest.")


class ProgramDetailOut(ProgramOut):
    template_id: Id | None = Field(description="The template a client's copy was made from.")
    weeks: list[ProgramWeekOut] = Field(description="Every week of the program; after the last it starts over at week 1.")
    notes: str | None
    starts_on: date | None
    active: bool


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


# --- leads ---------------------------------------------------------------------------------------------------------

LeadStage = Literal["new", "trial_booked", "trial_attended", "member", "lost"]
LeadSource = Literal["ad", "link", "typed", "organic"]


class LeadQuery(Listing):
    stage: LeadStage | None = Field(None, description="Where the lead is now (read from its bookings, visits and payments).")
    source: LeadSource | None = None


class LeadIn(ClientIn):
    """A lead typed in (a phone call, a walk-in): a new client whose source is `typed`."""


class LeadOut(BaseModel):
    id: Id
    client_id: Id
    name: str | None
    phone: str | None
    source: LeadSource
    source_detail: str | None = Field(description="The ad's headline, the link code, or who typed the lead in.")
    code_label: str | None
    stage: LeadStage
    created_at: Utc
    trial_booked_at: Utc | None
    trial_attended_at: Utc | None
    member_at: Utc | None
    lost_at: Utc | None


class LeadPage(BaseModel):
    data: list[LeadOut] = Field(description="Newest first.")
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
