"""Email out: one small interface, two mailers. SMTP (aiosmtplib) for real; the demo's sandbox, which sends nothing.

A mail is built with the standard library's EmailMessage (a plain-text body, attachments such as an .ics
invitation). The demo's sandbox keeps no copy of its own: the queued row in the database is the copy, and it
survives a restart, so the demo's /sandbox/emails page lists every mail the demo would have sent.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

import aiosmtplib

SMTP_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "text/calendar; method=REQUEST"
    content: bytes


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)


class MailError(Exception):
    """The server refused the mail or could not be reached; worth trying again later."""


class Mailer(Protocol):
    # Whether the mail's words stay stored once sent (the demo's page shows them; a real send erases them).
    keeps_copies: bool
    sender: str  # "Name <address>": the From of every mail, and the organizer of a booking's .ics

    async def send(self, mail: Mail) -> None: ...


def compose(mail: Mail, sender: str) -> EmailMessage:
    """The MIME message for `mail` from `sender`: the text, then each attachment."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, mail.to, mail.subject
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip("> ") or None)
    message.set_content(mail.text)
    for attachment in mail.attachments:
        kind, _, params = attachment.content_type.partition(";")
        maintype, subtype = kind.strip().split("/", 1)
        extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
        message.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename,
                               params=extra)
    return message


class SmtpMailer:
    """Sends through an SMTP server: STARTTLS or TLS from the start when asked, a login when given one."""

    keeps_copies = False

    def __init__(self, host: str, port: int | None, sender: str, *, username: str | None = None, password: str | None = None,
                 starttls: bool = False, tls: bool = False) -> None:
        self._host, self.sender = host, sender
        self._port = port or (465 if tls else 587 if starttls else 25)
        self._username, self._password, self._starttls, self._tls = username, password, starttls, tls

    async def send(self, mail: Mail) -> None:
        try:
            await aiosmtplib.send(compose(mail, self.sender), hostname=self._host, port=self._port, username=self._username,
                                  password=self._password, use_tls=self._tls, start_tls=self._starttls,
                                  timeout=SMTP_TIMEOUT_S)
        except (aiosmtplib.SMTPException, OSError) as error:
            raise MailError(f"{type(error).__name__}: {error}") from error


class SandboxMailer:
    """The demo's mailer: nothing leaves the machine; the stored row is what /sandbox/emails shows."""

    keeps_copies = True

    def __init__(self, sender: str) -> None:
        self.sender = sender

    async def send(self, mail: Mail) -> None:
        compose(mail, self.sender)  # built all the same, so a mail the real one could not build fails here too
