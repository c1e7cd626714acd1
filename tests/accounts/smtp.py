"""A real SMTP server for the tests (aiosmtpd), receiving what Django's SMTP backend sends (AUT-3, AUT-5)."""

from __future__ import annotations

import email
import re
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller


@dataclass
class SmtpInbox:
    """Messages the server received, as parsed e-mails."""

    messages: list[Message] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self.arrived:
            self.messages.append(email.message_from_bytes(envelope.content))
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout)
        assert len(self.messages) >= count, f"{len(self.messages)} message(s) reçu(s), {count} attendu(s)"
        return self.messages

    @staticmethod
    def body(message: Message) -> str:
        return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")

    def temporary_password(self, message: Message) -> str:
        return re.search(r"provisoire pour .* : (\S+)", self.body(message)).group(1)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(settings):
    """Start the server on a free local port and point Django's SMTP backend at it (``settings`` fixture)."""
    inbox, port = SmtpInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield inbox
    finally:
        controller.stop()
