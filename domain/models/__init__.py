"""All ORM models; importing this package registers every table on `Base.metadata`."""
from domain.models.admin import AdminUser, LoginAttempts
from domain.models.api import ApiIdempotencyKey, ApiToken
from domain.models.base import Base
from domain.models.campaigns import Campaign, CampaignMember
from domain.models.catalog import AvailabilityRule, Service, ServiceTrainer, TimeOff
from domain.models.client_notes import ClientNote
from domain.models.credits import CreditBalance, CreditEntry, Membership
from domain.models.leads import Lead, LeadCode
from domain.models.mail import OutgoingEmail, PasswordReset
from domain.models.message_templates import MessageTemplate
from domain.models.messaging import Conversation, InboundMessage, MessageStatusEvent, OutboundMessage
from domain.models.payments import CommissionRate, PaymentEvent, Product, Purchase
from domain.models.platform import PlanUsage, Signup
from domain.models.retention import ChurnModel, ChurnScore, PaymentRecord
from domain.models.scheduled import ScheduledMessage, SessionFeedback
from domain.models.scheduling import Appointment, Booking, BookingEvent, BookingSeries, CheckIn, WaitlistEntry
from domain.models.tenants import Business, Client, Staff
from domain.models.training import (
    Challenge,
    ChallengeEntry,
    CustomExercise,
    Meal,
    MealPlan,
    Measurement,
    PersonalRecord,
    Program,
    ProgramDay,
    ProgramItem,
    WorkoutLog,
    WorkoutSession,
)
from domain.models.unclear import UnclearMessage
from domain.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AdminUser", "ApiIdempotencyKey", "ApiToken",
    "Appointment", "AvailabilityRule", "Base", "Booking", "BookingEvent", "BookingSeries", "Business", "Campaign",
    "CampaignMember", "Challenge", "ChallengeEntry", "CheckIn", "ChurnModel", "ChurnScore", "Client", "ClientNote", "CommissionRate",
    "Conversation", "CreditBalance", "CreditEntry", "CustomExercise", "InboundMessage", "LoginAttempts", "Meal", "MealPlan",
    "Measurement", "Membership", "MessageStatusEvent", "MessageTemplate", "OutboundMessage", "OutgoingEmail", "PasswordReset",
    "PaymentEvent", "PaymentRecord", "PersonalRecord", "Product", "Program", "ProgramDay", "ProgramItem", "Purchase",
    "ScheduledMessage", "Service", "ServiceTrainer", "SessionFeedback", "Staff", "TimeOff", "UnclearMessage", "WaitlistEntry",
    "WorkoutLog", "WorkoutSession",
    "WebhookAttempt", "WebhookDelivery", "WebhookEndpoint",
    "Lead", "LeadCode", "PlanUsage", "Signup",
]
