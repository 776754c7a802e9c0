"""All ORM models; importing this package registers every table on `Base.metadata`."""
from domain.models.base import Base
from domain.models.catalog import AvailabilityRule, Service, ServiceTrainer, TimeOff
from domain.models.credits import CreditBalance, CreditEntry, Membership
from domain.models.scheduled import ScheduledMessage, SessionFeedback
from domain.models.messaging import Conversation, InboundMessage, MessageStatusEvent, OutboundMessage
from domain.models.scheduling import Appointment, Booking, BookingEvent, BookingSeries, CheckIn, WaitlistEntry
from domain.models.tenants import Business, Client, Staff

__all__ = [
    "Appointment", "AvailabilityRule", "Base", "Booking", "BookingEvent", "BookingSeries", "Business", "CheckIn",
    "Client", "Conversation", "CreditBalance", "CreditEntry", "InboundMessage", "Membership", "MessageStatusEvent",
    "OutboundMessage", "ScheduledMessage", "Service", "SessionFeedback", "ServiceTrainer", "Staff", "TimeOff", "WaitlistEntry",
]
