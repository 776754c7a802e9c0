"""A real SMTP server on a free localhost port (aiosmtpd) that keeps what it receives, and settings that send to it.

The `smtp` and `settings` fixtures are defined here once; a test module that sends mail takes them with
`smtp, settings = mail_support.smtp, mail_support.settings` (pytest finds fixtures among a module's names, and
this module itself is no test module, so its `settings` replaces conftest's only where it is taken)."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import dq_name

from runtime.broker import INBOUND_QUEUE, MAINTENANCE_QUEUE, OUTBOUND_QUEUE, SCHEDULED_QUEUE
from runtime.resources import Runtime
from runtime.settings import Settings
from tests.conftest import make_settings
from workers.mail import send_emails

MAIL_FROM = "FitZap <no-reply@fitzap.test>"


@dataclass
class Inbox:
    """What the server accepted; `refuse` makes it answer 451 (try again later) to that many mails first."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        assert isinstance(message, EmailMessage)
        self.received.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def mail_settings(inbox: Inbox, **overrides: object) -> Settings:
    return make_settings(SMTP_HOST="127.0.0.1", SMTP_PORT=inbox.port, MAIL_FROM=MAIL_FROM, **overrides)


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server for one test."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def settings(database: str, smtp: Inbox) -> Settings:
    """The test settings with email on, sent to `smtp`."""
    return mail_settings(smtp)


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")  # SMTP carries CRLF line ends


def attachments_of(message: EmailMessage) -> dict[str, bytes]:
    return {str(part.get_filename()): part.get_payload(decode=True) for part in message.iter_attachments()}


async def send_mail(broker: StubBroker, runtime: Runtime, max_steps: int = 100) -> int:
    """Run the queued (and delayed) `mail` actor messages as a worker would, dropping the others (WhatsApp sends are
    not what these tests look at); how many ran."""
    names = [INBOUND_QUEUE, OUTBOUND_QUEUE, MAINTENANCE_QUEUE, SCHEDULED_QUEUE]
    names += [dq_name(n) for n in names]
    ran = 0
    for _ in range(max_steps):
        encoded = next((broker.queues[n].get_nowait() for n in names if not broker.queues[n].empty()), None)
        if encoded is None:
            return ran
        if Message.decode(encoded).actor_name == "mail":
            await send_emails(runtime)
            ran += 1
    raise AssertionError("the broker never went quiet")
