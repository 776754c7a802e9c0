"""The domain's exceptions: one small hierarchy, turned into words at the edges (chat, admin)."""
from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    """Base of every rule the domain refuses to break."""

    code = "domain_error"


class NotFound(DomainError):
    """No such thing in this business (ids of other businesses are 'not found' too)."""

    code = "not_found"


class BookingError(DomainError):
    code = "booking_error"


class SlotTaken(BookingError):
    """The trainer is already busy then (another appointment, or its buffers)."""

    code = "slot_taken"


class OutsideAvailability(BookingError):
    """The trainer does not work then, or is off."""

    code = "outside_availability"


class TooSoon(BookingError):
    """Inside the business's minimum notice."""

    code = "too_soon"


class TooFar(BookingError):
    """Beyond the business's booking horizon."""

    code = "too_far"


class InThePast(BookingError):
    code = "in_the_past"


class ClassFull(BookingError):
    """Every seat is taken (or held by a waitlist offer); the client may join the waitlist."""

    code = "class_full"


class AlreadyBooked(BookingError):
    code = "already_booked"


class InvalidTransition(BookingError):
    """The booking's status does not allow that (e.g. checking in a cancelled booking)."""

    code = "invalid_transition"

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(f"a {current} booking cannot become {wanted}")
        self.current, self.wanted = current, wanted


class NoCredits(BookingError):
    """The booking needs a credit and the client has none (and no membership covering it)."""

    code = "no_credits"


class OfferExpired(BookingError):
    code = "offer_expired"

    def __init__(self, expired_at: datetime | None = None) -> None:
        super().__init__("the waitlist offer has expired")
        self.expired_at = expired_at


class PaymentError(DomainError):
    """A purchase or product cannot do what was asked."""

    code = "payment_error"


class InvalidProduct(PaymentError):
    """A product's fields do not make a sellable product (say, a pack of no credits)."""

    code = "invalid_product"
