"""The figures a web process reports to Prometheus: its webhooks, and the message path's backlog."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector

from domain.messaging.backlog import Backlog

# ignored: signed and well formed, but nothing in it for a business of ours (an unknown phone number id).
# unavailable: the database was away; answered 503 for Meta to send it again.
WEBHOOK_OUTCOMES = ("stored", "ignored", "invalid_signature", "malformed", "unavailable")
_BACKLOG_HELP = {
    "inbound_unprocessed": "Inbound messages stored but not yet answered",
    "inbound_oldest_s": "Age in seconds of the oldest unanswered inbound message (0: none)",
    "outbound_unfinished": "Outbox messages queued or being sent",
    "outbound_oldest_s": "Age in seconds of the oldest outbox message not yet sent (0: none)",
    "scheduled_overdue": "Automated messages (reminders, follow-ups, digests) due but not yet handled",
    "outbound_failed_last_hour": "Outbox messages that failed for good in the last hour",
}


class WebMetrics:
    """One registry per app, so two apps in one process (the tests) never share counts."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)
        webhooks = Counter("fitzap_webhooks", "WhatsApp webhooks answered, by outcome", ["outcome"], registry=self.registry)
        self.webhooks = {outcome: webhooks.labels(outcome) for outcome in WEBHOOK_OUTCOMES}  # no label lookup per request
        self.webhook_seconds = Histogram(
            "fitzap_webhook_seconds", "Time from a webhook's arrival to its answer (stored durably first)",
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5), registry=self.registry,
        )
        self.database_up = Gauge("fitzap_database_up", "1 when the last scrape could read the backlog", registry=self.registry)
        self.backlog = {name: Gauge(f"fitzap_{name}", text, registry=self.registry) for name, text in _BACKLOG_HELP.items()}

    def set_backlog(self, backlog: Backlog) -> None:
        for name, gauge in self.backlog.items():
            gauge.set(getattr(backlog, name))
