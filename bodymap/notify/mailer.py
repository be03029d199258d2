"""Sending email through any SMTP server named by SMTP_URL, with the standard library.

`smtp://user:password@mail.example:587` says STARTTLS (required, except to a relay on this machine),
`smtps://user:password@mail.example:465` says TLS from the first byte. The user name and password
may be percent-encoded (`%40` for an @ in a user name). Certificates are checked against the
system's trust store.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import ssl
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from bodymap.settings import SMTP_PORTS


class MailError(smtplib.SMTPException):
    """The mail server cannot be used as configured (no STARTTLS where it is required)."""


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """The server in an SMTP_URL (already checked by `settings`)."""
        parts = urllib.parse.urlsplit(url)
        return cls(
            scheme=parts.scheme,
            host=parts.hostname or "",
            port=parts.port or SMTP_PORTS[parts.scheme],
            username=urllib.parse.unquote(parts.username or ""),
            password=urllib.parse.unquote(parts.password or ""),
        )

    @property
    def on_this_machine(self) -> bool:
        """A relay on loopback: nothing crosses a network, so STARTTLS is used when offered, not required."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def __str__(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"  # never the password


class Mailer:
    """Opens one connection for a batch of emails; `send` raises smtplib.SMTPException or OSError on failure."""

    def __init__(
        self,
        url: str,
        sender: str,
        recipients: tuple[str, ...],
        timeout: float = 10.0,
        tls: ssl.SSLContext | None = None,
    ):
        self.server = SmtpServer.from_url(url)
        self.sender = sender
        self.recipients = recipients
        self.timeout = timeout
        self.tls = tls or ssl.create_default_context()

    def _open(self) -> smtplib.SMTP:
        server = self.server
        if server.scheme == "smtps":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=self.tls)
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if server.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls(context=self.tls)
                smtp.ehlo()
            elif server.scheme == "smtp" and not server.on_this_machine:
                raise MailError(f"{server} does not offer STARTTLS: use smtps:// on port 465, or a server that does")
            if server.username:
                smtp.login(server.username, server.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    @contextlib.contextmanager
    def connection(self) -> Iterator[Outgoing]:
        """An `Outgoing` on one open connection, closed at the end of the block."""
        smtp = self._open()
        try:
            yield Outgoing(smtp, self.sender, self.recipients)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


@dataclass
class Outgoing:
    """Sending on an open connection in two steps, so the caller can say in between that the email is about to go:

    - `envelope(message)`: the sender and recipients (MAIL FROM, RCPT TO). A failure here sent nothing.
    - `deliver(prepared)`: the message itself (DATA). The mail server has taken it exactly when this returns; an
      error the server answers with (SMTPDataError) means it did not; a connection lost while it answers leaves
      it unknown (OSError).
    `send(message)` does both.
    """

    smtp: smtplib.SMTP
    sender: str
    recipients: tuple[str, ...]

    def envelope(self, message: EmailMessage) -> bytes:
        del message["From"], message["To"], message["Date"]
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message["Date"] = formatdate(localtime=False)
        prepared = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
        code, answer = self.smtp.mail(self.sender)
        if code != 250:
            self.smtp.rset()
            raise smtplib.SMTPSenderRefused(code, answer, self.sender)
        refused = {}
        for recipient in self.recipients:
            code, answer = self.smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, answer)
        if len(refused) == len(self.recipients):
            self.smtp.rset()
            raise smtplib.SMTPRecipientsRefused(refused)
        return prepared

    def deliver(self, prepared: bytes) -> None:
        code, answer = self.smtp.data(prepared)
        if code != 250:
            self.smtp.rset()
            raise smtplib.SMTPDataError(code, answer)

    def send(self, message: EmailMessage) -> None:
        self.deliver(self.envelope(message))
